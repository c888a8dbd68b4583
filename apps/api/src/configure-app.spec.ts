import { loadConfig } from '@app/config';
import { admissionLimit } from './configure-app';

describe('admission limit', () => {
  it('is 16 with the default database pool, and never below a larger DB_POOL_MAX', () => {
    const external = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' };
    expect(admissionLimit(loadConfig(external))).toBe(16);
    expect(admissionLimit(loadConfig({ ...external, DB_POOL_MAX: '40' }))).toBe(40);
    expect(admissionLimit(loadConfig({ ...external, DB_POOL_MAX: '4' }))).toBe(16);
  });
});
