import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The repository stands alone: a user has README.md, DEVELOPERS.md and docs/, nothing beside
 * them. They link only to files inside the repository or to the web, and never send the
 * reader to a contract document the repository does not contain. Neither do the code's
 * comments and test names: they point to docs/.
 */
const ROOT = join(__dirname, '../..');
const DOCS = [
  'README.md',
  'DEVELOPERS.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const SOURCE_DIRS = ['libs', 'apps', 'test', 'bench'];
const THIS_FILE = relative(ROOT, __filename);
/** A document outside the repository, cited by name or by section. */
const OUTSIDE_DOCUMENT = /SPEC\.md|STYLE\.md|\bSPEC §/;

/** The .ts and .js files under `dir` (relative to the root), without node_modules and dist. */
function sources(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
    return /\.(ts|js)$/.test(entry.name) && path !== THIS_FILE ? [path] : [];
  });
}

/**
 * `file:line` for each line citing a document outside the repository. `../shared` counts only
 * where it leaves the repository or names nothing in it: `libs/transparency/src/shared` is a real
 * directory its siblings import.
 */
function outsideReferences(file: string): string[] {
  return text(file)
    .split('\n')
    .flatMap((line, i) => {
      const shared = [...line.matchAll(/((?:\.\.\/)+)shared\b/g)].some(([, up]) => {
        const path = resolve(ROOT, dirname(file), up, 'shared');
        return relative(ROOT, path).startsWith('..') || !existsSync(path);
      });
      return shared || OUTSIDE_DOCUMENT.test(line) ? [`${file}:${i + 1}`] : [];
    });
}

/** Markdown links `[text](target)`, skipping code spans and blocks. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
}

describe('documentation that stands alone', () => {
  it.each(DOCS)('%s points at nothing outside the repository', (file) => {
    const body = text(file);
    expect(body).not.toMatch(/\.\.\/shared|SPEC\.md|STYLE\.md|\bSPEC §/);
    const outside = links(body)
      .filter((target) => !/^(https?:|mailto:|#)/.test(target))
      .map((target) => target.split('#')[0])
      .filter((target) => {
        const path = resolve(ROOT, dirname(file), target);
        return relative(ROOT, path).startsWith('..') || !existsSync(path);
      });
    expect(outside).toEqual([]);
  });

  it('keeps the source (libs, apps, test, bench) citing only documents the repository holds', () => {
    const files = SOURCE_DIRS.flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap(outsideReferences)).toEqual([]);
    const missingDocs = files.flatMap((file) =>
      [...text(file).matchAll(/\bdocs\/[\w.-]+\.md\b/g)]
        .filter(([doc]) => !existsSync(join(ROOT, doc)))
        .map(([doc]) => `${file}: ${doc}`),
    );
    expect(missingDocs).toEqual([]);
  });

  it('links the API guide, the production checklist and the runbooks from the README', () => {
    const readme = links(text('README.md'));
    for (const doc of ['docs/api-guide.md', 'docs/production-checklist.md', 'docs/runbooks.md', 'docs/operations.md']) {
      expect(readme).toContain(doc);
    }
  });

  it('keeps the README short: what it is, two commands, scripts, links', () => {
    const readme = text('README.md');
    expect(readme.split('\n').length).toBeLessThan(110);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
