import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { EnvDto } from './env.dto';

const ROOT = join(__dirname, '../../..');

function declaredVariables(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(EnvDto, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

describe('configuration documentation', () => {
  it('lists every variable the API reads in .env.example and docs/configuration.md', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const docs = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    const variables = declaredVariables();
    expect(variables.length).toBeGreaterThan(40);
    expect(variables.filter((name) => !new RegExp(`^#?\\s*${name}(_FILE)?=`, 'm').test(example))).toEqual([]);
    expect(variables.filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });
});
