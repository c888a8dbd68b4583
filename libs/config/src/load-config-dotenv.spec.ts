import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig, loadDotEnv } from './load-config';

/** Variables these tests may set on the real process environment; restored after each test. */
const TOUCHED = ['PORT', 'LOG_LEVEL', 'RATE_LIMIT_BURST', 'TAPI_DOTENV_A', 'TAPI_DOTENV_B'];

describe('.env loading', () => {
  const saved: Record<string, string | undefined> = {};
  const cwd = process.cwd();
  let dir: string;

  beforeEach(() => {
    for (const name of TOUCHED) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    dir = mkdtempSync(join(tmpdir(), 'tapi-dotenv-'));
  });

  afterEach(() => {
    process.chdir(cwd);
    for (const name of TOUCHED) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('fills unset variables from the file and never overrides the real environment', () => {
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nTAPI_DOTENV_A=from-file\nTAPI_DOTENV_B="quoted value"\n');
    process.env.TAPI_DOTENV_A = 'from-environment';
    expect(loadDotEnv(file)).toBe(true);
    expect(process.env.TAPI_DOTENV_A).toBe('from-environment');
    expect(process.env.TAPI_DOTENV_B).toBe('quoted value');
  });

  it('is a no-op when there is no file', () => {
    expect(loadDotEnv(join(dir, '.env'))).toBe(false);
  });

  it('loadConfig() reads .env from the working directory, the environment winning', () => {
    writeFileSync(join(dir, '.env'), 'PORT=8123\nLOG_LEVEL=debug\n');
    process.env.LOG_LEVEL = 'warn';
    process.chdir(dir);
    const config = loadConfig();
    expect(config.port).toBe(8123);
    expect(config.logLevel).toBe('warn');
  });

  it('validates what came from .env like the environment, naming the variable', () => {
    writeFileSync(join(dir, '.env'), 'RATE_LIMIT_BURST=lots\n');
    process.chdir(dir);
    expect(() => loadConfig()).toThrow(/RATE_LIMIT_BURST/);
  });

  it('ignores .env when the caller passes its own environment (tests, tools)', () => {
    writeFileSync(join(dir, '.env'), 'PORT=8123\n');
    process.chdir(dir);
    expect(loadConfig({}).port).toBe(8000);
    expect(process.env.PORT).toBeUndefined();
  });

  it('reports a .env that exists but cannot be read in the one configuration error', () => {
    mkdirSync(join(dir, '.env'));
    process.chdir(dir);
    let error: unknown;
    try {
      loadConfig();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems).toEqual([expect.stringMatching(/^\.env: .*cannot be read/)]);
  });
});
