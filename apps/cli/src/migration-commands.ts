import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pendingSchemaChanges, runMigrationsLocked } from '@app/database';
import type { DataSource } from 'typeorm';
import { expectPositionals, parseCommandArgs, UsageError } from './cli-args';

/** The source folder, found from the repository root (the CLI runs compiled, from dist/). */
function migrationsDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('migration:generate must run inside the source checkout');
    dir = parent;
  }
  return join(dir, 'libs/database/src/migrations');
}

/** `migration:generate <Name>`: the one positional, checked before anything connects. */
export function parseMigrationGenerateArgs(args: string[]): string {
  const { positional } = parseCommandArgs('migration:generate', args, {});
  if (positional.length !== 1) throw new UsageError('migration:generate takes exactly one name');
  return positional[0];
}

/** `migration:run` takes nothing. */
export function parseMigrationRunArgs(args: string[]): void {
  expectPositionals('migration:run', parseCommandArgs('migration:run', args, {}).positional, []);
}

export async function migrationRun(dataSource: DataSource, out: (line: string) => void): Promise<void> {
  const applied = await runMigrationsLocked(dataSource);
  out(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
}

/**
 * Writes a migration holding the SQL that brings the (migrated) database in line with the
 * entities, and registers it in migrations/index.ts. Nothing to write means they agree.
 */
export async function migrationGenerate(
  dataSource: DataSource,
  name: string,
  out: (line: string) => void,
): Promise<boolean> {
  if (!/^[A-Z][A-Za-z0-9]{1,60}$/.test(name)) throw new UsageError('migration name must be PascalCase, e.g. AddUsers');
  await runMigrationsLocked(dataSource);
  const { up, down } = await pendingSchemaChanges(dataSource);
  if (up.length === 0) {
    out('Entities and migrations agree: nothing to generate.');
    return false;
  }
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const fileBase = `${timestamp}-${name}`;
  const body = (queries: string[]): string =>
    queries.map((q) => `    await queryRunner.query(${JSON.stringify(q)});`).join('\n');
  const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${body(up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${body([...down].reverse())}
  }
}
`;
  const dir = migrationsDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${fileBase}.ts`), source);
  registerMigration(dir, className, fileBase);
  out(`Wrote libs/database/src/migrations/${fileBase}.ts; review it, then build and run migration:run.`);
  return true;
}

function registerMigration(dir: string, className: string, fileBase: string): void {
  const indexPath = join(dir, 'index.ts');
  const index = readFileSync(indexPath, 'utf8');
  const withImport = `import { ${className} } from './${fileBase}';\n${index}`;
  const updated = withImport
    .replace(/\n\];\s*$/, `\n  ${className},\n];\n`)
    .replace('= [];', `= [\n  ${className},\n];`);
  writeFileSync(indexPath, updated);
}
