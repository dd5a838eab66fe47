/**
 * Every run-time dependency in package.json is imported by the code (source/, bench/ or test/): an
 * unused one (like @inkjs/ui was) is removed rather than shipped (issue 11.9).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules' || f.startsWith('.')) return [];
    return statSync(p).isDirectory() ? files(p) : /\.(m?[jt]sx?)$/.test(f) ? [p] : [];
  });
}

describe('dependencies', () => {
  it('every dependency in package.json is imported somewhere', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const text = ['source', 'bench', 'test']
      .flatMap((d) => files(join(REPO_ROOT, d)))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unused = Object.keys(pkg.dependencies).filter((name) => {
      const q = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      return !new RegExp(`(from\\s+|import\\(\\s*|require\\(\\s*)['"]${q}(/[^'"]*)?['"]`).test(
        text,
      );
    });
    expect(unused).toEqual([]);
  });
});
