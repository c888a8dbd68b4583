import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { startupBanner } from './banner';

describe('startup banner', () => {
  it('ends with the docs URL and the first login: the generated admin and where its password is', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tapi-banner-'));
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data', 'admin-password'), 'generated-secret\n');
    const config = loadConfig({ DATA_DIR: join(cwd, 'data'), PORT: '8123' });
    const lines = startupBanner(config, cwd);
    expect(lines).toEqual([
      'API documentation: http://localhost:8123/docs',
      'First login: POST http://localhost:8123/api/v1/auth/login with {"username": "admin", "password": <the contents of ./data/admin-password>}',
    ]);
    expect(lines.join('\n')).not.toContain('generated-secret');
  });

  it('names the configured admin without printing ADMIN_PASSWORD', () => {
    const config = loadConfig({ ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'a-long-admin-password' });
    const [, login] = startupBanner(config);
    expect(login).toBe(
      'First login: POST http://localhost:8000/api/v1/auth/login with {"username": "ops", "password": <ADMIN_PASSWORD>}',
    );
    expect(login).not.toContain('a-long-admin-password');
  });

  it('says how to create an admin when none is configured on an external database', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/app' });
    expect(startupBanner(config)[1]).toMatch(/create-user <name> --scopes admin/);
  });

  it('does not point at a password file that is not there', () => {
    const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'tapi-banner-')) });
    expect(startupBanner(config)[1]).toMatch(/no generated password file/);
  });
});
