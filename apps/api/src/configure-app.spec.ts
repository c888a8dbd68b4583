import { loadConfig } from '@app/config';
import { admissionLimit } from './configure-app';

describe('admission limit', () => {
  it('is 32 with the default database pool, and never below a larger DB_POOL_MAX', () => {
    const external = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' };
    expect(admissionLimit(loadConfig(external))).toBe(32);
    expect(admissionLimit(loadConfig({ ...external, DB_POOL_MAX: '50' }))).toBe(50);
    expect(admissionLimit(loadConfig({ ...external, DB_POOL_MAX: '4' }))).toBe(32);
  });
});
