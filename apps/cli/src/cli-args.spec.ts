import { parseCommandArgs, UsageError } from './cli-args';
import { parseSeedDemoArgs } from './demo-commands';
import { parseMigrationGenerateArgs, parseMigrationRunArgs } from './migration-commands';

describe('command-line parsing', () => {
  const kinds = { name: 'value', force: 'flag' } as const;

  it('collects positionals, values (both spellings) and flags', () => {
    const parsed = parseCommandArgs('cmd', ['a', '--name', 'x', 'b', '--force'], kinds);
    expect(parsed).toEqual({ positional: ['a', 'b'], values: { name: 'x' }, flags: new Set(['force']) });
    expect(parseCommandArgs('cmd', ['--name=x=y'], kinds).values).toEqual({ name: 'x=y' });
    expect(parseCommandArgs('cmd', ['--name='], kinds).values).toEqual({ name: '' });
  });

  it.each([
    [['--other'], 'cmd: unknown option --other'],
    [['--force=yes'], 'cmd: --force takes no value'],
    [['--name'], 'cmd: --name needs a value'],
    [['--name', '--force'], 'cmd: --name needs a value'],
    [['--name', 'a', '--name=b'], 'cmd: --name given twice'],
    [['--constructor', 'x'], 'cmd: unknown option --constructor'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseCommandArgs('cmd', args, kinds)).toThrow(new UsageError(message));
  });

  it('parses migration:generate <Name> and refuses anything else', () => {
    expect(parseMigrationGenerateArgs(['AddUsers'])).toBe('AddUsers');
    expect(() => parseMigrationGenerateArgs([])).toThrow('migration:generate takes exactly one name');
    expect(() => parseMigrationGenerateArgs(['A', 'B'])).toThrow('migration:generate takes exactly one name');
    expect(() => parseMigrationGenerateArgs(['A', '--dry-run'])).toThrow('unknown option --dry-run');
  });

  it('takes no arguments for migration:run and seed-demo', () => {
    expect(() => parseMigrationRunArgs([])).not.toThrow();
    expect(() => parseMigrationRunArgs(['now'])).toThrow('migration:run takes no positional arguments');
    expect(() => parseSeedDemoArgs([])).not.toThrow();
    expect(() => parseSeedDemoArgs(['x'])).toThrow('seed-demo takes no arguments');
    expect(() => parseSeedDemoArgs(['--fast'])).toThrow('seed-demo: unknown option --fast');
  });
});
