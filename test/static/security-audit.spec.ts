import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * docs/security-audit.md maps each risk and control to the code and to the tests that prove it.
 * A proof is written `` `test/file.e2e-spec.ts`: "the test's name" ``; this spec fails when a
 * named file or test does not exist, so the document cannot drift into claims nobody checks.
 */
const ROOT = join(__dirname, '../..');
const DOC = readFileSync(join(ROOT, 'docs/security-audit.md'), 'utf8');
const PROOF = /`((?:test|libs|apps)\/[^`]+\.(?:e2e-)?spec\.ts)`: "([^"]+)"/g;
const CODE = /`((?:apps|libs|docker|test)\/[^`\s]+\.(?:ts|yaml|yml|json))`/g;

const proofs = [...DOC.matchAll(PROOF)].map(([, file, name]) => ({ file, name }));

/** The name as it stands in a spec: a string literal passed to it()/describe(). */
function declares(source: string, name: string): boolean {
  return [`'${name}'`, `"${name}"`, `\`${name}\``].some((literal) => source.includes(literal));
}

describe('docs/security-audit.md', () => {
  it('covers each OWASP API Security Top 10 (2023) risk and the ASVS chapters it claims', () => {
    for (let i = 1; i <= 10; i++) expect(DOC).toMatch(new RegExp(`^#+ API${i}:2023 `, 'm'));
    for (const chapter of ['V2', 'V3', 'V7', 'V8', 'V13']) expect(DOC).toMatch(new RegExp(`^#+ ${chapter} `, 'm'));
  });

  it('names tests that exist, by file and exact name', () => {
    expect(proofs.length).toBeGreaterThanOrEqual(40);
    const missing = proofs.filter(({ file, name }) => {
      const path = join(ROOT, file);
      return !existsSync(path) || !declares(readFileSync(path, 'utf8'), name);
    });
    expect(missing).toEqual([]);
  });

  it('names code files that exist', () => {
    const files = [...DOC.matchAll(CODE)].map(([, file]) => file);
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
  });
});
