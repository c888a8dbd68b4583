import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ADMIN_PASSWORD_FILE, GENERATED_ADMIN_USERNAME } from '@app/auth';
import type { AppConfig } from '@app/config';

/** Shown in place of a path under the working directory, so the line stays short and copyable. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? `./${rel}` : path;
}

/**
 * The last lines `npm start` prints: where the API documentation is and how to log in for
 * the first time. Never a secret: it says where the password is, not what it is.
 */
export function startupBanner(config: AppConfig, cwd = process.cwd()): string[] {
  const base = `http://localhost:${config.port}`;
  const login = `POST ${base}/api/v1/auth/login`;
  const { username, password } = config.admin;
  let firstLogin: string;
  if (username && password) {
    firstLogin = `${login} with {"username": "${username}", "password": <ADMIN_PASSWORD>}`;
  } else if (config.database.embedded && !username && !password) {
    const file = join(config.database.dataDir, ADMIN_PASSWORD_FILE);
    firstLogin = existsSync(file)
      ? `${login} with {"username": "${GENERATED_ADMIN_USERNAME}", "password": <the contents of ${displayPath(file, cwd)}>}`
      : `${login} with the admin you created (no generated password file in ${displayPath(config.database.dataDir, cwd)})`;
  } else {
    firstLogin = `${login} with an admin's credentials (none configured: set ADMIN_USERNAME and ADMIN_PASSWORD, or run \`npm run cli -- create-user <name> --scopes admin\`)`;
  }
  return [`API documentation: ${base}/docs`, `First login: ${firstLogin}`];
}
