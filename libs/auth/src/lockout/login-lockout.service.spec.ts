import type { AppConfig } from '@app/config';
import type { RedisService } from '@app/redis';
import { LoginLockoutService } from './login-lockout.service';

const config = { loginLockout: { threshold: 3, ipThreshold: 5, windowSeconds: 900 } } as unknown as AppConfig;
const noRedis = { client: undefined, keyPrefix: 'unit:' } as unknown as RedisService;

describe('LoginLockoutService without Redis (in memory)', () => {
  it('locks the pair on the threshold-th failure, for the window', async () => {
    const lockout = new LoginLockoutService(config, noRedis);
    expect((await lockout.recordFailure('alice', '10.0.0.1')).locked).toBe(false);
    expect((await lockout.recordFailure('alice', '10.0.0.1')).locked).toBe(false);
    expect(await lockout.recordFailure('alice', '10.0.0.1')).toEqual({
      locked: true,
      retryAfterSeconds: 900,
      scope: 'pair',
    });
    const state = await lockout.check('alice', '10.0.0.1');
    expect(state).toMatchObject({ locked: true, scope: 'pair' });
    expect(state.retryAfterSeconds).toBeGreaterThan(898);
    expect((await lockout.check('alice', '10.0.0.2')).locked).toBe(false);
    expect((await lockout.check('bob', '10.0.0.1')).locked).toBe(false);
  });

  it('treats usernames case-insensitively, so case games do not multiply attempts', async () => {
    const lockout = new LoginLockoutService(config, noRedis);
    for (const name of ['Alice', 'ALICE', 'alice']) await lockout.recordFailure(name, '10.0.0.1');
    expect((await lockout.check('aLiCe', '10.0.0.1')).locked).toBe(true);
  });

  it('locks an IP spraying many usernames, and a success clears only the pair', async () => {
    const lockout = new LoginLockoutService(config, noRedis);
    await lockout.recordFailure('alice', '10.0.0.9');
    await lockout.recordFailure('alice', '10.0.0.9');
    await lockout.recordSuccess('alice', '10.0.0.9');
    expect((await lockout.recordFailure('alice', '10.0.0.9')).locked).toBe(false);
    await lockout.recordFailure('u1', '10.0.0.9');
    expect(await lockout.recordFailure('u2', '10.0.0.9')).toMatchObject({ locked: true, scope: 'ip' });
    expect((await lockout.check('anyone', '10.0.0.9')).scope).toBe('ip');
  });
});
