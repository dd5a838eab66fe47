/**
 * The direction of imports (architecture.md), enforced: each top-level folder of source/ may import
 * only the folders listed for it; some only as `import type` (the UI renders engine events but never
 * runs engine code; the store and UI never call providers). The engine reaches markets only over
 * HTTP, the sim oracle is for tests and benchmarks, Ink/React stay out of the engine and the plain
 * printer, and SQL and HTTP stay out of the UI.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { REPO_ROOT } from './helpers/paths.js';

const SOURCE = join(REPO_ROOT, 'source');

/** folder -> folders it may import at run time, and folders it may import only as types. */
const RULES: Record<string, { runtime: string[]; typeOnly?: string[] }> = {
  'cli.ts': { runtime: ['commands', 'config', 'calendar', 'market', 'runtime', 'util'] },
  commands: { runtime: ['runtime', 'engine', 'store', 'export', 'config', 'calendar', 'market', 'ui', 'util'] },
  ui: { runtime: [], typeOnly: ['engine', 'providers'] },
  runtime: { runtime: ['engine', 'providers', 'market', 'store', 'export', 'config', 'calendar', 'util'] },
  engine: { runtime: ['providers', 'store', 'export', 'calendar', 'config', 'util'] },
  providers: { runtime: ['config', 'calendar', 'util'] }, // calendar: ET time of Flat Files windows (a leaf below providers)
  market: { runtime: ['calendar', 'util'] },
  store: { runtime: ['util'], typeOnly: ['providers', 'engine'] },
  export: { runtime: ['store', 'util'], typeOnly: [] },
  calendar: { runtime: [] },
  config: { runtime: [] },
  util: { runtime: [] },
};

const FORBIDDEN_PACKAGES: Record<string, RegExp> = {
  engine: /^(ink|react|@inkjs\/|ink-|node:worker_threads|node:tty)/,
  ui: /^(better-sqlite3|undici|node:http|node:net|node:worker_threads)/,
  market: /^(better-sqlite3|ink|react)/,
  providers: /^(better-sqlite3|ink|react)/,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

function topOf(file: string): string {
  const rel = relative(SOURCE, file).split(sep);
  return rel.length === 1 ? rel[0]! : rel[0]!;
}

interface Imp { file: string; spec: string; typeOnly: boolean }

function importsOf(file: string): Imp[] {
  const text = readFileSync(file, 'utf8');
  const out: Imp[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) out.push({ file, spec: (m[3] ?? m[4])!, typeOnly: !!m[2] });
  return out;
}

const all = files(SOURCE).flatMap(importsOf);

describe('architecture: direction of imports', () => {
  it('finds the source tree', () => {
    expect(all.length).toBeGreaterThan(200);
  });

  it('every folder imports only what it may', () => {
    const bad: string[] = [];
    for (const imp of all) {
      const from = topOf(imp.file);
      const rule = RULES[from];
      if (!rule || !imp.spec.startsWith('.')) continue;
      const target = relative(SOURCE, resolve(dirname(imp.file), imp.spec)).split(sep)[0]!.replace(/\.js$/, '');
      if (target === from) continue;
      if (rule.runtime.includes(target)) continue;
      if (imp.typeOnly && rule.typeOnly?.includes(target)) continue;
      bad.push(`${relative(REPO_ROOT, imp.file)} imports ${imp.spec}${imp.typeOnly ? ' (type)' : ''}`);
    }
    expect(bad).toEqual([]);
  });

  it('keeps terminal code out of the engine and SQL/HTTP out of the UI', () => {
    const bad: string[] = [];
    for (const imp of all) {
      const re = FORBIDDEN_PACKAGES[topOf(imp.file)];
      if (re && re.test(imp.spec)) bad.push(`${relative(REPO_ROOT, imp.file)} imports ${imp.spec}`);
    }
    expect(bad).toEqual([]);
  });

  it('the plain printer never loads Ink or React', () => {
    const imps = importsOf(join(SOURCE, 'runtime/plain-printer.ts'));
    expect(imps.filter((i) => /ink|react|\/ui\//.test(i.spec))).toEqual([]);
  });

  it('the sim oracle is imported by tests and benchmarks only', () => {
    const users = all.filter((i) => /oracle(\.js)?$/.test(i.spec) && !i.file.includes(`${sep}sim${sep}oracle`));
    expect(users.map((i) => relative(REPO_ROOT, i.file))).toEqual([]);
  });
});
