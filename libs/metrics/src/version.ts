import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The version in the nearest package.json above this file (source and compiled layouts differ in depth). */
function findVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'transparency-api' && pkg.version) return pkg.version;
      } catch {
        // keep walking up
      }
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export const API_VERSION = findVersion();
