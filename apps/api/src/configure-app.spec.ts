import { loadConfig } from '@app/config';
import { admissionLimits } from './configure-app';

describe('admission limits', () => {
  it('are 64 places, 16 in a connection storm, and never below a larger DB_POOL_MAX', () => {
    const external = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' };
    expect(admissionLimits(loadConfig(external))).toEqual({ limit: 64, stormLimit: 16 });
    expect(admissionLimits(loadConfig({ ...external, DB_POOL_MAX: '40' }))).toEqual({ limit: 64, stormLimit: 40 });
    expect(admissionLimits(loadConfig({ ...external, DB_POOL_MAX: '100' }))).toEqual({ limit: 100, stormLimit: 100 });
  });
});
