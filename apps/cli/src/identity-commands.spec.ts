import { parseIdentityCommand } from './identity-commands';
import { UsageError } from './cli-args';

describe('identity command arguments', () => {
  it('parses create-user with scopes and --password-stdin', () => {
    expect(
      parseIdentityCommand('create-user', ['alice', '--scopes', 'transparency:read,admin', '--password-stdin']),
    ).toEqual({
      name: 'create-user',
      username: 'alice',
      scopes: ['transparency:read', 'admin'],
      passwordFromStdin: true,
    });
  });

  it('parses issue-token with --opt=value forms and a duration', () => {
    expect(
      parseIdentityCommand('issue-token', ['--subject=engine', '--scopes=transparency:write', '--ttl', '12h']),
    ).toEqual({ name: 'issue-token', subject: 'engine', scopes: ['transparency:write'], ttlSeconds: 43200 });
  });

  it('parses create-user without options: no scopes, a generated password', () => {
    expect(parseIdentityCommand('create-user', ['bob'])).toEqual({
      name: 'create-user',
      username: 'bob',
      scopes: [],
      passwordFromStdin: false,
    });
  });

  it('parses issue-token with the default ttl, deduplicated scopes and a description', () => {
    expect(
      parseIdentityCommand('issue-token', [
        '--subject',
        'svc:engine',
        '--scopes',
        'transparency:read, transparency:read',
        '--description',
        'nightly job',
      ]),
    ).toEqual({
      name: 'issue-token',
      subject: 'svc:engine',
      scopes: ['transparency:read'],
      ttlSeconds: 90 * 86400,
      description: 'nightly job',
    });
  });

  it('parses list-users, list-tokens with and without --kind, and revoke-token', () => {
    const id = '0b6d2c7e-3f51-4a8e-9d2a-5c1b7e9f0a12';
    expect(parseIdentityCommand('list-users', [])).toEqual({ name: 'list-users' });
    expect(parseIdentityCommand('list-tokens', [])).toEqual({ name: 'list-tokens' });
    expect(parseIdentityCommand('list-tokens', ['--kind=service'])).toEqual({ name: 'list-tokens', kind: 'service' });
    expect(parseIdentityCommand('revoke-token', [id])).toEqual({ name: 'revoke-token', id });
  });

  it('takes an argument after -- as a positional, even when it looks like an option', () => {
    expect(parseIdentityCommand('create-user', ['--', '-alice'])).toMatchObject({ username: '-alice' });
  });

  it.each([
    ['create-user', [], /create-user takes <username>/],
    ['create-user', ['alice', '--scopes', '--password-stdin'], /--scopes needs a value/],
    ['create-user', ['alice', '--scopes', 'root'], /unknown scope "root"/],
    ['create-user', ['bad name'], /a username is/],
    ['issue-token', ['--subject', 'x', '--scope', 'admin'], /unknown option --scope/],
    ['issue-token', ['-s', 'x'], /unknown option -s/],
    ['issue-token', ['--subject', 'x', '--scopes', 'admin', '--ttl', 'forever'], /--ttl is a duration/],
    ['issue-token', ['--subject', 'x', '--scopes', 'admin', '--description', 'd'.repeat(501)], /at most 500/],
    ['issue-token', ['--subject', 'x y', '--scopes', 'admin'], /a subject is/],
    ['issue-token', ['--scopes', 'admin'], /--subject is required/],
    ['list-tokens', ['--kind', 'refresh'], /--kind is "service" or "access"/],
    ['list-tokens', ['--kind'], /--kind needs a value/],
    ['list-users', ['--all'], /unknown option --all/],
    ['revoke-token', [], /revoke-token takes <id>/],
  ] as const)('refuses %s %j with the message %s', (command, args, message) => {
    expect(() => parseIdentityCommand(command, [...args])).toThrow(message);
  });

  it.each([
    ['create-user', []],
    ['create-user', ['a', 'b']],
    ['create-user', ['alice', '--scopes']],
    ['create-user', ['alice', '--password-stdin=yes']],
    ['issue-token', ['--subject', 'x']],
    ['issue-token', ['--subject', 'x', '--scopes', 'admin', '--ttl', '10s']],
    ['issue-token', ['--subject', 'x', '--scopes', 'admin', '--subject', 'y']],
    ['list-users', ['extra']],
    ['revoke-token', ['123']],
  ] as const)('refuses %s %j with a usage error', (command, args) => {
    expect(() => parseIdentityCommand(command, [...args])).toThrow(UsageError);
  });
});
