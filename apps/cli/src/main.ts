import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigValidationError, loadConfig } from '@app/config';
import { DataSource } from 'typeorm';
import { CliModule } from './cli.module';
import {
  IDENTITY_COMMANDS,
  IDENTITY_USAGE,
  isIdentityCommand,
  parseIdentityCommand,
  readProcessStdin,
  runIdentityCommand,
} from './identity-commands';
import { UsageError } from './cli-args';
import { DEMO_USAGE, parseSeedDemoArgs, seedDemo } from './demo-commands';
import {
  migrationGenerate,
  migrationRun,
  parseMigrationGenerateArgs,
  parseMigrationRunArgs,
} from './migration-commands';

const USAGE = `Usage: npm run cli -- <command> [arguments]

Commands:
  migration:run              apply pending migrations (under the advisory lock)
  migration:generate <Name>  write a migration for entity changes (PascalCase name)
${IDENTITY_USAGE}
${DEMO_USAGE}
  help                       this text

Configuration comes from the environment, exactly as for the API (see .env.example).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  if (!command || command === 'help' || command === '--help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const known = ['migration:run', 'migration:generate', 'seed-demo', ...IDENTITY_COMMANDS];
  if (!known.includes(command)) throw new UsageError(`unknown command "${command}"`);
  // Arguments are checked before connecting, so a typo fails fast (exit 2).
  const identity = isIdentityCommand(command) ? parseIdentityCommand(command, args) : undefined;
  const migrationName = command === 'migration:generate' ? parseMigrationGenerateArgs(args) : undefined;
  if (command === 'migration:run') parseMigrationRunArgs(args);
  if (command === 'seed-demo') parseSeedDemoArgs(args);

  // Commands apply migrations themselves (and report them), so boot without running them.
  const base = loadConfig();
  const config = { ...base, database: { ...base.database, migrationsRun: false } };
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(Object.freeze(config)), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const dataSource = app.get(DataSource);
    switch (command) {
      case 'migration:run':
        await migrationRun(dataSource, out);
        return 0;
      case 'migration:generate':
        await migrationGenerate(dataSource, migrationName ?? '', out);
        return 0;
      case 'seed-demo':
        await seedDemo(app, out);
        return 0;
      default:
        if (identity) return await runIdentityCommand(app, identity, { out, readStdin: readProcessStdin });
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`Error: ${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    const message = error instanceof ConfigValidationError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`Error: ${message}\n`);
    process.exit(1);
  });
