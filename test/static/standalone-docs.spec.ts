import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The repository stands alone: a user has README.md, DEVELOPERS.md and docs/, nothing beside
 * them. They link only to files inside the repository or to the web, and never send the
 * reader to a contract document the repository does not contain.
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
