import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Injectable } from '@nestjs/common';
import { WorkLimiter } from '@app/common';
import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane). `Algorithm` is a const
 * enum in the typings, which isolated-module builds cannot inline, hence the literal.
 */
const ARGON2ID = 2;
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * argon2 runs on libuv's thread pool (four threads), and one hash is 19 MiB and tens of
 * milliseconds of a core. Unlimited, a login storm on two cores put four of them beside the
 * event loop, and a health probe waited 160 ms to 1 s for its turn (bench S5). One core is
 * always left to the event loop: at most cores - 1 hashes at a time (at least one), the rest
 * queue. Logins then wait in line instead of every request waiting behind them.
 */
export const PASSWORD_HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);

@Injectable()
export class PasswordService {
  private readonly limiter = new WorkLimiter(PASSWORD_HASH_CONCURRENCY);

  // Computed at start, so the first unknown-user login does not pay for it (a timing tell).
  private readonly dummyHash: Promise<string> = this.hash(randomBytes(32).toString('base64url'));

  constructor() {
    this.dummyHash.catch(() => undefined);
  }

  hash(password: string): Promise<string> {
    return this.limiter.run(() => hash(password, ARGON2_OPTIONS));
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await this.limiter.run(() => verify(passwordHash, password));
    } catch {
      return false;
    }
  }

  /**
   * The same work as a real check, against a hash no password matches: a login for an
   * unknown username must cost what a wrong password costs, or timing reveals who exists.
   */
  async verifyDummy(password: string): Promise<false> {
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
