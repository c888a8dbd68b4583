import { parseArgs } from 'node:util';

/** A mistake in the command line: the CLI prints it with the usage text and exits with code 2. */
export class UsageError extends Error {}

export type OptionKinds = Record<string, 'value' | 'flag'>;

export interface ParsedArgs {
  positional: string[];
  values: Record<string, string>;
  flags: Set<string>;
}

/**
 * `--name value`, `--name=value` and `--flag` options plus positionals, tokenised by
 * `util.parseArgs`. Its strict mode is not used: its messages name neither the command nor our
 * wording, and it accepts an option given twice (the last wins), which we refuse so that a
 * pasted command line never silently drops a value. Everything after `--` is positional.
 */
export function parseCommandArgs(command: string, args: string[], kinds: OptionKinds): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries(kinds).map(([name, kind]) => [name, { type: kind === 'flag' ? 'boolean' : 'string' }] as const),
  );
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const positional: string[] = [];
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'positional') positional.push(token.value);
    if (token.kind !== 'option') continue;
    const kind = Object.hasOwn(kinds, token.name) ? kinds[token.name] : undefined;
    if (!kind) throw new UsageError(`${command}: unknown option ${token.rawName}`);
    if (kind === 'flag') {
      if (token.value !== undefined) throw new UsageError(`${command}: --${token.name} takes no value`);
      flags.add(token.name);
      continue;
    }
    // parseArgs takes the next argument as the value even when it looks like an option.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new UsageError(`${command}: --${token.name} needs a value`);
    }
    if (Object.hasOwn(values, token.name)) throw new UsageError(`${command}: --${token.name} given twice`);
    values[token.name] = token.value;
  }
  return { positional, values, flags };
}

/** Refuses any positional count other than `names.length`, naming the expected ones. */
export function expectPositionals(command: string, positional: string[], names: string[]): void {
  if (positional.length !== names.length) {
    throw new UsageError(
      names.length === 0
        ? `${command} takes no positional arguments`
        : `${command} takes ${names.map((n) => `<${n}>`).join(' ')}`,
    );
  }
}
