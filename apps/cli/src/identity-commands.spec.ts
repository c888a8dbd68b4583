import { parseIdentityCommand } from './identity-commands';
import { UsageError } from './migration-commands';

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
