/**
 * The direction of imports (architecture.md), enforced: each top-level folder of source/ may import
 * only the folders listed for it; some only as `import type` (the store never calls providers). The
 * shared contracts (snapshot, events, commands, day detail, rule table, states) are a leaf that
 * imports nothing of ours; the UI and the store import them, never the engine (types included). The engine reaches markets only over
 * HTTP, the sim oracle is for tests and benchmarks, Ink/React stay out of the engine and the plain
 * printer, and SQL and HTTP stay out of the UI. SQL has one home, source/store/: no other file
 * prepares a statement, runs `.exec` on a connection, reads or sets a pragma, imports better-sqlite3
 * or holds an SQL statement in a string literal.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './helpers/paths.js';

const SOURCE = join(REPO_ROOT, 'source');

/** folder -> folders it may import at run time, and folders it may import only as types. */
const RULES: Record<string, { runtime: string[]; typeOnly?: string[] }> = {
  'cli.ts': {
    runtime: ['commands', 'config', 'calendar', 'market', 'runtime', 'util', 'contracts'],
  },
  commands: {
    runtime: [
      'runtime',
      'engine',
      'store',
      'export',
      'config',
      'calendar',
      'market',
      'ui',
      'util',
      'contracts',
    ],
  },
  // The UI renders contracts (snapshot, events, day detail) and never imports the engine or the providers, not even types.
  ui: { runtime: ['contracts'] },
  runtime: {
    runtime: [
      'engine',
      'providers',
      'market',
      'store',
      'export',
      'config',
      'calendar',
      'util',
      'contracts',
    ],
  },
  engine: { runtime: ['providers', 'store', 'export', 'calendar', 'config', 'util', 'contracts'] },
  providers: { runtime: ['config', 'calendar', 'util', 'contracts'] }, // calendar: ET time of Flat Files windows (a leaf below providers)
  market: { runtime: ['calendar', 'util', 'contracts'] },
  // The store never imports the engine (types included): the day/alert types it stores are contracts.
  store: { runtime: ['util', 'contracts'], typeOnly: ['providers'] },
  export: { runtime: ['store', 'util', 'contracts'], typeOnly: [] },
  calendar: { runtime: [] },
  config: { runtime: [] },
  util: { runtime: [] },
  // The shared contracts are a leaf: they import nothing of ours.
  contracts: { runtime: [] },
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

interface Imp {
  file: string;
  spec: string;
  typeOnly: boolean;
}

function importsOf(file: string): Imp[] {
  const text = readFileSync(file, 'utf8');
  const out: Imp[] = [];
  const re =
    /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
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
      const target = relative(SOURCE, resolve(dirname(imp.file), imp.spec))
        .split(sep)[0]!
        .replace(/\.js$/, '');
      if (target === from) continue;
      if (rule.runtime.includes(target)) continue;
      if (imp.typeOnly && rule.typeOnly?.includes(target)) continue;
      bad.push(
        `${relative(REPO_ROOT, imp.file)} imports ${imp.spec}${imp.typeOnly ? ' (type)' : ''}`,
      );
    }
    expect(bad).toEqual([]);
  });

  it('the contracts are a leaf: no import of ours and no package', () => {
    const contracts = all.filter((i) => topOf(i.file) === 'contracts');
    expect(contracts.length).toBeGreaterThan(0);
    const bad = contracts.filter((i) => {
      if (!i.spec.startsWith('.')) return true;
      return relative(SOURCE, resolve(dirname(i.file), i.spec)).split(sep)[0] !== 'contracts';
    });
    expect(bad.map((i) => `${relative(REPO_ROOT, i.file)} imports ${i.spec}`)).toEqual([]);
  });

  it('neither the store nor the UI imports the engine, not even a type', () => {
    const bad = all.filter((i) => {
      const from = topOf(i.file);
      if ((from !== 'store' && from !== 'ui') || !i.spec.startsWith('.')) return false;
      return relative(SOURCE, resolve(dirname(i.file), i.spec)).split(sep)[0] === 'engine';
    });
    expect(bad.map((i) => `${relative(REPO_ROOT, i.file)} imports ${i.spec}`)).toEqual([]);
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
    const users = all.filter(
      (i) => /oracle(\.js)?$/.test(i.spec) && !i.file.includes(`${sep}sim${sep}oracle`),
    );
    expect(users.map((i) => relative(REPO_ROOT, i.file))).toEqual([]);
  });
});

/** A source file outside source/store/ (the one home for SQL). */
const outsideStore = files(SOURCE).filter((f) => relative(SOURCE, f).split(sep)[0] !== 'store');

/**
 * An SQL statement in a string: SELECT .. FROM, INSERT [OR x] INTO, UPDATE x SET, DELETE FROM,
 * REPLACE INTO, `PRAGMA name(` / `PRAGMA name =` (upper case: prose says "select" in lower case).
 */
const SQL_TEXT =
  /\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bREPLACE\s+INTO\b|\bPRAGMA\s+\w+\s*[(=]|\bCREATE\s+(TABLE|INDEX|VIEW)\b/;

/** What a file does with SQL, found in its syntax tree (comments are not looked at). */
function sqlUsesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const src = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const rel = relative(REPO_ROOT, file);
  const out: string[] = [];
  const at = (n: ts.Node): string =>
    `${rel}:${src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1}`;
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const name = n.expression.name.text;
      const receiver = n.expression.expression.getText(src);
      if (name === 'prepare' || name === 'pragma') out.push(`${at(n)} calls .${name}(`);
      // .exec( on a connection (db, store.db, this.db ...), not RegExp#exec
      if (name === 'exec' && /(^|\.)(db|database|conn)$/i.test(receiver))
        out.push(`${at(n)} calls ${receiver}.exec(`);
    }
    if (
      (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) &&
      n.moduleSpecifier &&
      ts.isStringLiteral(n.moduleSpecifier) &&
      n.moduleSpecifier.text === 'better-sqlite3'
    ) {
      out.push(`${at(n)} imports better-sqlite3`);
    }
    if (
      ts.isCallExpression(n) &&
      n.expression.kind === ts.SyntaxKind.ImportKeyword &&
      n.arguments[0] &&
      ts.isStringLiteral(n.arguments[0]) &&
      n.arguments[0].text === 'better-sqlite3'
    ) {
      out.push(`${at(n)} imports better-sqlite3`);
    }
    let literal: string | null = null;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) literal = n.text;
    else if (ts.isTemplateExpression(n))
      literal = [n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join(' ? ');
    if (literal !== null && SQL_TEXT.test(literal))
      out.push(`${at(n)} holds SQL: ${literal.replace(/\s+/g, ' ').slice(0, 60)}`);
    if (!ts.isTemplateExpression(n)) ts.forEachChild(n, visit);
    else for (const span of n.templateSpans) visit(span.expression);
  };
  visit(src);
  return out;
}

describe('architecture: one home for SQL (source/store/)', () => {
  it('the checker sees SQL where it is (the store holds statements)', () => {
    const inStore = files(join(SOURCE, 'store')).flatMap(sqlUsesOf);
    expect(inStore.some((u) => u.includes('calls .prepare('))).toBe(true);
    expect(inStore.some((u) => u.includes('holds SQL'))).toBe(true);
    expect(inStore.some((u) => u.includes('imports better-sqlite3'))).toBe(true);
  });

  it('no file outside source/store/ prepares, execs, reads a pragma, imports better-sqlite3 or holds an SQL statement', () => {
    expect(outsideStore.length).toBeGreaterThan(100);
    expect(outsideStore.flatMap(sqlUsesOf)).toEqual([]);
  });
});
