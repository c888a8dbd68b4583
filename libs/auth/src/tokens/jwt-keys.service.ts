import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { join } from 'node:path';
import { type FactoryProvider, Logger } from '@nestjs/common';
import { readOrCreateSecretFile } from '@app/common';
import { AppConfig, type JwtAlgorithm } from '@app/config';

/** A public key as published at `/.well-known/jwks.json` (RFC 7517): never a private member. */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

export const GENERATED_SECRET_FILE = 'jwt-secret';
const GENERATED_SECRET_BYTES = 48;
/** NIST's floor for RSA signatures, and what jsonwebtoken requires of RS256 keys. */
const MIN_RSA_BITS = 2048;

function expectKeyType(alg: Exclude<JwtAlgorithm, 'HS256'>, key: KeyObject, what: string): void {
  if (alg === 'ES256') {
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`${what} is not a P-256 EC key (JWT_ALGORITHM=ES256)`);
    }
    return;
  }
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new Error(`${what} is not an RSA key of at least ${MIN_RSA_BITS} bits (JWT_ALGORITHM=RS256)`);
  }
}

function generatePrivateKeyPem(alg: Exclude<JwtAlgorithm, 'HS256'>): string {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: MIN_RSA_BITS });
  return pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * The signing keys (docs/auth.md), loaded once at boot: HS256 signs and verifies with one secret;
 * RS256/ES256 sign with JWT_PRIVATE_KEY under JWT_KID and verify with it and the older
 * JWT_PUBLIC_KEYS, chosen by the token's `kid`. `@nestjs/jwt` is configured from it
 * (`JwtModule.registerAsync`), and the JWKS route publishes its public keys.
 */
export class JwtKeysService {
  constructor(
    readonly algorithm: JwtAlgorithm,
    /** The HS256 secret, or the private key of RS256/ES256. */
    readonly signingKey: KeyObject,
    /** The header `kid` of signed tokens (asymmetric algorithms only). */
    readonly kid: string | undefined,
    private readonly verification: ReadonlyMap<string, KeyObject>,
  ) {}

  /** The verification key for a token header's `kid` (HS256: the secret; a kid is not needed). */
  keyFor(kid: unknown): KeyObject | undefined {
    if (this.algorithm === 'HS256') return this.signingKey;
    return typeof kid === 'string' ? this.verification.get(kid) : undefined;
  }

  /** Every public verification key (none under HS256: a shared secret is never published). */
  jwks(): { keys: PublicJwk[] } {
    const keys: PublicJwk[] = [];
    for (const [kid, key] of this.verification) {
      const { kty, crv, x, y, n, e } = key.export({ format: 'jwk' });
      keys.push({
        kty: String(kty),
        kid,
        alg: this.algorithm,
        use: 'sig',
        ...(crv ? { crv } : {}),
        ...(x ? { x } : {}),
        ...(y ? { y } : {}),
        ...(n ? { n } : {}),
        ...(e ? { e } : {}),
      });
    }
    return { keys };
  }
}

/**
 * Builds the keys from the configuration. Without configured keys outside production, a
 * generated secret (or key pair) persisted 0600 under DATA_DIR keeps tokens valid across
 * restarts, and the CLI signs with the same one.
 */
export function loadJwtKeys(config: AppConfig): JwtKeysService {
  const logger = new Logger('JwtKeys');
  const { jwt, database } = config;
  if (jwt.algorithm === 'HS256') {
    let secret = jwt.secret;
    if (!secret) {
      if (config.isProduction && !database.embedded) throw new Error('JWT_SECRET is required in production');
      secret = readOrCreateSecretFile(database.dataDir, GENERATED_SECRET_FILE, () =>
        randomBytes(GENERATED_SECRET_BYTES).toString('base64url'),
      );
      logger.log(`No JWT_SECRET set: using the generated secret in ${join(database.dataDir, GENERATED_SECRET_FILE)}`);
    }
    return new JwtKeysService('HS256', createSecretKey(Buffer.from(secret, 'utf8')), undefined, new Map());
  }

  const alg = jwt.algorithm;
  let privatePem = jwt.privateKey;
  if (!privatePem) {
    if (config.isProduction) throw new Error(`JWT_PRIVATE_KEY is required in production with ${alg}`);
    const file = `jwt-private-key-${alg.toLowerCase()}.pem`;
    privatePem = readOrCreateSecretFile(database.dataDir, file, () => generatePrivateKeyPem(alg));
    logger.log(`No JWT_PRIVATE_KEY set: using the generated key in ${join(database.dataDir, file)}`);
  }
  const privateKey = createPrivateKey(privatePem);
  expectKeyType(alg, privateKey, 'JWT_PRIVATE_KEY');
  const publicKey = createPublicKey(privateKey);
  const kid =
    jwt.kid ??
    `generated-${createHash('sha256')
      .update(publicKey.export({ format: 'der', type: 'spki' }))
      .digest('base64url')
      .slice(0, 16)}`;
  const verification = new Map<string, KeyObject>();
  for (const [olderKid, pem] of Object.entries(jwt.publicKeys)) {
    const key = createPublicKey(pem);
    expectKeyType(alg, key, `JWT_PUBLIC_KEYS["${olderKid}"]`);
    verification.set(olderKid, key);
  }
  verification.set(kid, publicKey);
  return new JwtKeysService(alg, privateKey, kid, verification);
}

export const JWT_KEYS_PROVIDER: FactoryProvider<JwtKeysService> = {
  provide: JwtKeysService,
  useFactory: loadJwtKeys,
  inject: [AppConfig],
};
