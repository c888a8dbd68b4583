import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads `name` under `dir`, or creates it with `make()` readable by the owner only (0600).
 * `wx` makes two processes starting together agree on the first writer's value. For
 * secrets generated outside production (JWT secret, audit chain key), so that they
 * survive restarts without being configured.
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
