import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, type JwtAlgorithm } from '@app/config';
import type { SigningKey } from './jwt';

/** A public key as published at `/.well-known/jwks.json` (RFC 7517): never a private member. */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
}

export const GENERATED_SECRET_FILE = 'jwt-secret';
const GENERATED_SECRET_BYTES = 48;

/**
 * Reads `name` under `dir`, or creates it with `make()` readable by the owner only (0600).
 * `wx` makes two processes starting together agree on the first writer's value.
 */
export function readOrCreateSecretFile(dir: string, name: string, make: () => string): string {
  const path = join(dir, name);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${make()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(path, 'utf8').trim();
}

function expectKeyType(alg: JwtAlgorithm, key: KeyObject, what: string): void {
  const ok =
    alg === 'ES256'
      ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
      : key.asymmetricKeyType === 'ed25519';
  if (!ok)
    throw new Error(`${what} is not ${alg === 'ES256' ? 'a P-256 EC' : 'an Ed25519'} key (JWT_ALGORITHM=${alg})`);
}

/**
 * The key material of SPEC §3: HS256 signs and verifies with one secret; ES256/EdDSA sign
 * with JWT_PRIVATE_KEY under JWT_KID and verify with it and the older JWT_PUBLIC_KEYS,
 * chosen by the token's `kid`. Without configured keys outside production, a generated
 * secret (or key pair) persisted 0600 under DATA_DIR keeps tokens valid across restarts.
 */
@Injectable()
export class JwtKeysService {
  private readonly logger = new Logger('JwtKeys');
  readonly algorithm: JwtAlgorithm;
  readonly signing: SigningKey;
  private readonly verification = new Map<string, KeyObject>();

  constructor(config: AppConfig) {
    const { jwt, database } = config;
    this.algorithm = jwt.algorithm;
    if (jwt.algorithm === 'HS256') {
      let secret = jwt.secret;
      if (!secret) {
        if (config.isProduction && !database.embedded) throw new Error('JWT_SECRET is required in production');
        secret = readOrCreateSecretFile(database.dataDir, GENERATED_SECRET_FILE, () =>
          randomBytes(GENERATED_SECRET_BYTES).toString('base64url'),
        );
        this.logger.log(
          `No JWT_SECRET set: using the generated secret in ${join(database.dataDir, GENERATED_SECRET_FILE)}`,
        );
      }
      this.signing = { alg: 'HS256', key: createSecretKey(Buffer.from(secret, 'utf8')) };
      return;
    }

    let privatePem = jwt.privateKey;
    let kid = jwt.kid;
    if (!privatePem) {
      if (config.isProduction) throw new Error(`JWT_PRIVATE_KEY is required in production with ${jwt.algorithm}`);
      const file = `jwt-private-key-${jwt.algorithm.toLowerCase()}.pem`;
      privatePem = readOrCreateSecretFile(database.dataDir, file, () =>
        (jwt.algorithm === 'ES256'
          ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
          : generateKeyPairSync('ed25519')
        ).privateKey
          .export({ format: 'pem', type: 'pkcs8' })
          .toString(),
      );
      this.logger.log(`No JWT_PRIVATE_KEY set: using the generated key in ${join(database.dataDir, file)}`);
    }
    const privateKey = createPrivateKey(privatePem);
    expectKeyType(jwt.algorithm, privateKey, 'JWT_PRIVATE_KEY');
    const publicKey = createPublicKey(privateKey);
    kid ??= `generated-${createHash('sha256')
      .update(publicKey.export({ format: 'der', type: 'spki' }))
      .digest('base64url')
      .slice(0, 16)}`;
    this.signing = { alg: jwt.algorithm, key: privateKey, kid };
    for (const [olderKid, pem] of Object.entries(jwt.publicKeys)) {
      const key = createPublicKey(pem);
      expectKeyType(jwt.algorithm, key, `JWT_PUBLIC_KEYS["${olderKid}"]`);
      this.verification.set(olderKid, key);
    }
    this.verification.set(kid, publicKey);
  }

  /** The verification key for a token header's `kid` (HS256: the secret; a kid is not needed). */
  keyFor(kid: string | undefined): KeyObject | undefined {
    if (this.signing.alg === 'HS256') return this.signing.key;
    return kid === undefined ? undefined : this.verification.get(kid);
  }

  /** Every public verification key (none under HS256: a shared secret is never published). */
  jwks(): { keys: PublicJwk[] } {
    const keys: PublicJwk[] = [];
    for (const [kid, key] of this.verification) {
      const { kty, crv, x, y } = key.export({ format: 'jwk' });
      keys.push({
        kty: String(kty),
        kid,
        alg: this.algorithm,
        use: 'sig',
        ...(crv ? { crv } : {}),
        ...(x ? { x } : {}),
        ...(y ? { y } : {}),
      });
    }
    return { keys };
  }
}
