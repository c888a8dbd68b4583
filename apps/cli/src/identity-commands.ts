import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { TokensService, UsersService } from '@app/auth';
import { isScope, type Scope, SecurityEvents } from '@app/common';
import { parseDurationSeconds } from '@app/config';
import { runMigrationsLocked } from '@app/database';
import { DataSource } from 'typeorm';
import { expectPositionals, parseCommandArgs, UsageError } from './cli-args';

export const IDENTITY_COMMANDS = ['create-user', 'list-users', 'issue-token', 'list-tokens', 'revoke-token'] as const;
export type IdentityCommandName = (typeof IDENTITY_COMMANDS)[number];

export const IDENTITY_USAGE = `  create-user <username> [--scopes a,b] [--password-stdin]
                             create a user; without --password-stdin a password is generated and printed once
  list-users                 list users (never password hashes)
  issue-token --subject <s> --scopes a,b [--ttl 90d] [--description <text>]
                             issue a service token; the token is printed once
  list-tokens [--kind service|access]
                             token metadata (never the tokens)
  revoke-token <id>          revoke a token; every API replica refuses it within a second
  Scopes: transparency:read, transparency:write, audit:read, metrics:read, admin`;

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const SUBJECT = /^[A-Za-z0-9._:@-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MIN_PASSWORD_LENGTH = 12;
const DEFAULT_TTL_SECONDS = 90 * 86400;
const MAX_TTL_SECONDS = 366 * 86400;

export type IdentityCommand =
  | { name: 'create-user'; username: string; scopes: Scope[]; passwordFromStdin: boolean }
  | { name: 'list-users' }
  | { name: 'issue-token'; subject: string; scopes: Scope[]; ttlSeconds: number; description?: string }
  | { name: 'list-tokens'; kind?: 'access' | 'service' }
  | { name: 'revoke-token'; id: string };

export interface CommandIo {
  out(line: string): void;
  /** The whole of standard input (for --password-stdin). */
  readStdin(): Promise<string>;
}

export function isIdentityCommand(command: string): command is IdentityCommandName {
  return (IDENTITY_COMMANDS as readonly string[]).includes(command);
}

function parseScopes(command: string, value: string | undefined): Scope[] {
  if (value === undefined || value.trim() === '') return [];
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new UsageError(`${command}: unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}`);
  return [...new Set(names as Scope[])];
}

/** Validates arguments before anything connects, so a typo fails fast with exit code 2. */
export function parseIdentityCommand(command: IdentityCommandName, args: string[]): IdentityCommand {
  switch (command) {
    case 'create-user': {
      const { positional, values, flags } = parseCommandArgs(command, args, {
        scopes: 'value',
        'password-stdin': 'flag',
      });
      expectPositionals(command, positional, ['username']);
      const username = positional[0];
      if (!USERNAME.test(username)) {
        throw new UsageError(`${command}: a username is 1-64 letters, digits and . _ @ -`);
      }
      return {
        name: command,
        username,
        scopes: parseScopes(command, values.scopes),
        passwordFromStdin: flags.has('password-stdin'),
      };
    }
    case 'list-users': {
      expectPositionals(command, parseCommandArgs(command, args, {}).positional, []);
      return { name: command };
    }
    case 'issue-token': {
      const { positional, values } = parseCommandArgs(command, args, {
        subject: 'value',
        scopes: 'value',
        ttl: 'value',
        description: 'value',
      });
      expectPositionals(command, positional, []);
      const subject = values.subject;
      if (!subject) throw new UsageError(`${command}: --subject is required`);
      if (!SUBJECT.test(subject)) throw new UsageError(`${command}: a subject is 1-128 letters, digits and . _ : @ -`);
      if (values.scopes === undefined) throw new UsageError(`${command}: --scopes is required (comma-separated)`);
      let ttlSeconds = DEFAULT_TTL_SECONDS;
      if (values.ttl !== undefined) {
        try {
          ttlSeconds = parseDurationSeconds(values.ttl);
        } catch {
          ttlSeconds = NaN;
        }
        if (!Number.isFinite(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > MAX_TTL_SECONDS) {
          throw new UsageError(`${command}: --ttl is a duration between 60s and 366d (e.g. 3600, 15m, 12h, 30d)`);
        }
      }
      if (values.description !== undefined && values.description.length > 500) {
        throw new UsageError(`${command}: --description is at most 500 characters`);
      }
      return {
        name: command,
        subject,
        scopes: parseScopes(command, values.scopes),
        ttlSeconds,
        ...(values.description !== undefined ? { description: values.description } : {}),
      };
    }
    case 'list-tokens': {
      const { positional, values } = parseCommandArgs(command, args, { kind: 'value' });
      expectPositionals(command, positional, []);
      const kind = values.kind;
      if (kind !== undefined && kind !== 'access' && kind !== 'service') {
        throw new UsageError(`${command}: --kind is "service" or "access"`);
      }
      return { name: command, ...(kind ? { kind } : {}) };
    }
    case 'revoke-token': {
      const { positional } = parseCommandArgs(command, args, {});
      expectPositionals(command, positional, ['id']);
      const id = positional[0];
      if (!UUID.test(id)) throw new UsageError(`${command}: "${id}" is not a token id (a UUID)`);
      return { name: command, id };
    }
  }
}

const pad = (value: string, width: number): string => value.padEnd(width);

/**
 * Runs a parsed identity command through the same services as the API (AuthCoreModule), so
 * users and tokens made here behave exactly like those made over HTTP.
 */
export async function runIdentityCommand(
  app: INestApplicationContext,
  command: IdentityCommand,
  io: CommandIo,
): Promise<number> {
  // The CLI boots without running migrations: make sure the identity tables exist.
  await runMigrationsLocked(app.get(DataSource));
  const users = app.get(UsersService);
  const tokens = app.get(TokensService);
  const events = app.get(SecurityEvents);
  switch (command.name) {
    case 'create-user': {
      let password: string;
      if (command.passwordFromStdin) {
        password = (await io.readStdin()).replace(/\r?\n$/, '');
        if (password.length < MIN_PASSWORD_LENGTH) {
          throw new UsageError(`create-user: the password must be at least ${MIN_PASSWORD_LENGTH} characters`);
        }
      } else {
        password = randomBytes(18).toString('base64url');
      }
      const user = await users.create({ username: command.username, password, scopes: command.scopes });
      events.publish({ type: 'user.created', actor: 'cli', detail: { user_id: user.id, username: user.username } });
      io.out(`Created user "${user.username}" (id ${user.id}, scopes: ${user.scopes.join(' ') || 'none'})`);
      if (!command.passwordFromStdin) io.out(`Password (shown once): ${password}`);
      return 0;
    }
    case 'list-users': {
      const list = await users.list();
      io.out(`${pad('ID', 36)}  ${pad('USERNAME', 24)}  ${pad('STATUS', 8)}  SCOPES`);
      for (const u of list) {
        io.out(`${u.id}  ${pad(u.username, 24)}  ${pad(u.disabled ? 'disabled' : 'active', 8)}  ${u.scopes.join(' ')}`);
      }
      io.out(`${list.length} user${list.length === 1 ? '' : 's'}`);
      return 0;
    }
    case 'issue-token': {
      const token = await tokens.issueServiceToken({
        subject: command.subject,
        scopes: command.scopes,
        ttlSeconds: command.ttlSeconds,
        description: command.description ?? null,
        createdBy: 'cli',
      });
      events.publish({
        type: 'token.issued',
        actor: 'cli',
        tokenId: token.id,
        detail: { kind: 'service', subject: command.subject, scopes: command.scopes },
      });
      io.out(
        `Issued token ${token.id} for "${command.subject}" (scopes: ${token.scopes.join(' ') || 'none'}), expires ${token.expiresAt.toISOString()}`,
      );
      io.out('Token (shown once, store it now):');
      io.out(token.accessToken);
      return 0;
    }
    case 'list-tokens': {
      const list = await tokens.list(command.kind);
      const now = Date.now();
      io.out(
        `${pad('ID', 36)}  ${pad('KIND', 7)}  ${pad('STATUS', 7)}  ${pad('EXPIRES', 24)}  ${pad('SUBJECT', 24)}  SCOPES`,
      );
      for (const t of list) {
        const status = t.revokedAt ? 'revoked' : t.expiresAt.getTime() <= now ? 'expired' : 'active';
        io.out(
          `${t.id}  ${pad(t.kind, 7)}  ${pad(status, 7)}  ${pad(t.expiresAt.toISOString(), 24)}  ${pad(t.subject, 24)}  ${t.scopes.join(' ')}`,
        );
      }
      io.out(`${list.length} token${list.length === 1 ? '' : 's'}`);
      return 0;
    }
    case 'revoke-token': {
      const token = await tokens.revokeToken(command.id, 'cli');
      if (!token) throw new Error(`no token with id ${command.id}`);
      events.publish({ type: 'token.revoked', actor: 'cli', tokenId: command.id, detail: { reason: 'cli' } });
      io.out(`Revoked token ${command.id} (${token.kind}, subject "${token.subject}")`);
      return 0;
    }
  }
}

/** Standard input as one string (for --password-stdin). */
export async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin: pipe the password in, e.g. `printf %s "$PW" | ...`');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
