import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SecurityEvents } from '@app/common';
import { AppConfig } from '@app/config';
import { UsernameTakenError, UsersService } from './users.service';

export const GENERATED_ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD_FILE = 'admin-password';

/**
 * The first admin (docs/auth.md): seeded from ADMIN_USERNAME/ADMIN_PASSWORD when no admin exists;
 * on the embedded default with neither set, a generated password printed once and stored
 * 0600 under DATA_DIR; against an external database with neither set, only a warning.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly events: SecurityEvents,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.adminExists()) return;
    const { username, password } = this.config.admin;
    if (username && password) {
      await this.create(username, password, 'environment');
      return;
    }
    if (username || password) {
      this.logger.warn('Set both ADMIN_USERNAME and ADMIN_PASSWORD to seed the first admin; no admin was created');
      return;
    }
    if (!this.config.database.embedded) {
      this.logger.warn(
        'No admin user exists: set ADMIN_USERNAME and ADMIN_PASSWORD, or run `npm run cli -- create-user <name> --scopes admin`',
      );
      return;
    }
    const generated = randomBytes(18).toString('base64url');
    if (!(await this.create(GENERATED_ADMIN_USERNAME, generated, 'generated'))) return;
    const dir = this.config.database.dataDir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, ADMIN_PASSWORD_FILE);
    writeFileSync(file, `${generated}\n`, { mode: 0o600 });
    // Printed once, on purpose to stdout rather than the log: it is the newcomer's way in.
    process.stdout.write(
      `\n  First admin created: username "${GENERATED_ADMIN_USERNAME}", password "${generated}"\n` +
        `  (also stored in ${file}, mode 0600; it is not shown again)\n\n`,
    );
  }

  private async create(username: string, password: string, source: string): Promise<boolean> {
    try {
      const user = await this.users.create({ username, password, scopes: ['admin'] });
      this.events.publish({ type: 'user.created', actor: 'system', detail: { user_id: user.id, username, source } });
      this.logger.log(`Created the first admin "${username}" (${source})`);
      return true;
    } catch (error) {
      if (!(error instanceof UsernameTakenError)) throw error;
      // Another replica won the race, or a non-admin already holds the name.
      this.logger.warn(`Not seeding admin "${username}": ${error.message}`);
      return false;
    }
  }
}
