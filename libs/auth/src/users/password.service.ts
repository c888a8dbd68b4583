import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane). `Algorithm` is a const
 * enum in the typings, which isolated-module builds cannot inline, hence the literal.
 */
const ARGON2ID = 2;
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordService {
  // Computed at start, so the first unknown-user login does not pay for it (a timing tell).
  private readonly dummyHash: Promise<string> = this.hash(randomBytes(32).toString('base64url'));

  constructor() {
    this.dummyHash.catch(() => undefined);
  }

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
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
