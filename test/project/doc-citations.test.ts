/**
 * Every citation of docs/ in the code and the docs points at something that is there (issue 11.8):
 * `docs/providers.md section 2.7`, `sections 2 and 8`, `§2.1-2.10` (both ends), `providers.md 3.2`,
 * `docs/domain.md section 4, step 5` (item 5 of section 4's numbered list) and a quoted heading
 * (`docs/console.md "Keys"`, `docs/architecture.md, "The day's stages"`). A number must be the
 * number of a heading of that file (`## 2.`, `### 2.7 `, `#### 1.6.5 `), a quoted heading must start
 * a heading's text. Comments are read with their line breaks and comment markers folded, so a
 * citation split over two comment lines counts. Scanned: source/, test/, bench/ (TypeScript and
 * JavaScript), README.md and docs/*.md.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

/** The docs files a citation may name. */
const DOCS = ['domain', 'providers', 'console', 'architecture', 'extending'] as const;

/** One citation: the docs file, what it points at, and where it stands. */
interface Citation {
  doc: string;
  kind: 'section' | 'step' | 'heading';
  /** A section number (`2.7`), `<section>#<item>` for a step, or a heading's text. */
  target: string;
  where: string;
}

const NUM = String.raw`\d+(?:\.\d+)*`;
const DOC = String.raw`(?:docs/)?(${DOCS.join('|')})\.md`;
/** After the file name: `section N`, `sections N and M`, `§N-M`, a bare `N`, `step N`, or `"Heading"`. */
const CITATION = new RegExp(
  String.raw`${DOC},?:?\s+(?:(sections?\s+${NUM}(?:\s*(?:,|and)\s*${NUM})*(?:,?\s+step\s+\d+)?)|(§\s*${NUM}(?:-${NUM})?)|(step\s+\d+)|(${NUM})(?![\w-])|"([^"]+)")`,
  'g',
);

/** Text with comment line breaks folded: `foo\n * bar` and `foo\n // bar` become `foo bar`. */
function fold(text: string): string {
  return text.replace(/\s*\n\s*(?:\*(?!\/)|\/\/)?\s*/g, ' ');
}

/** The citations in `text` (already folded), attributed to `where`. */
export function citationsIn(text: string, where: string): Citation[] {
  const out: Citation[] = [];
  for (const m of text.matchAll(CITATION)) {
    const [, doc, sections, para, step, bare, heading] = m;
    if (sections) {
      const nums = [...sections.replace(/step\s+\d+/, '').matchAll(new RegExp(NUM, 'g'))].map(
        (x) => x[0],
      );
      for (const n of nums) out.push({ doc, kind: 'section', target: n, where });
      const st = /step\s+(\d+)/.exec(sections);
      if (st) out.push({ doc, kind: 'step', target: `${nums.at(-1)}#${st[1]}`, where });
    } else if (para) {
      for (const n of para.slice(1).trim().split('-'))
        out.push({ doc, kind: 'section', target: n, where });
    } else if (step) {
      // a bare "domain.md step N" means the stages of section 4, the only numbered list of steps
      out.push({ doc, kind: 'step', target: `4#${step.split(/\s+/)[1]}`, where });
    } else if (bare) out.push({ doc, kind: 'section', target: bare, where });
    else if (heading) out.push({ doc, kind: 'heading', target: heading, where });
  }
  return out;
}

/** Why `c` does not resolve in `docText` (the docs file's text), or null when it does. */
export function unresolved(c: Citation, docText: string): string | null {
  const lines = docText.split('\n');
  const headingAt = (num: string): number => {
    const re = new RegExp(String.raw`^#{2,4}\s+${num.replace(/\./g, '\\.')}\.?\s`);
    return lines.findIndex((l) => re.test(l));
  };
  if (c.kind === 'section')
    return headingAt(c.target) >= 0 ? null : `no heading numbered ${c.target}`;
  if (c.kind === 'heading')
    return lines.some((l) => /^#{1,4}\s/.test(l) && l.replace(/^#+\s+/, '').startsWith(c.target))
      ? null
      : `no heading "${c.target}"`;
  const [section, item] = c.target.split('#');
  const start = headingAt(section);
  if (start < 0) return `no heading numbered ${section}`;
  const end = lines.findIndex((l, i) => i > start && /^#{1,2}\s/.test(l));
  const body = lines.slice(start + 1, end < 0 ? undefined : end);
  return body.some((l) => l.startsWith(`${item}. `))
    ? null
    : `section ${section} has no numbered step ${item}`;
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules' || f === 'results' || f.startsWith('.')) return [];
    return statSync(p).isDirectory() ? files(p) : /\.(m?[jt]sx?|md)$/.test(f) ? [p] : [];
  });
}

describe('citations of docs/', () => {
  const scanned = [
    ...['source', 'test', 'bench'].flatMap((d) => files(join(REPO_ROOT, d))),
    join(REPO_ROOT, 'README.md'),
    ...files(join(REPO_ROOT, 'docs')),
  ];
  const all = scanned.flatMap((f) =>
    citationsIn(fold(readFileSync(f, 'utf8')), relative(REPO_ROOT, f)),
  );

  it('finds the citations (the scan is not silently empty)', () => {
    expect(all.filter((c) => c.kind === 'section').length).toBeGreaterThan(80);
    expect(all.filter((c) => c.kind === 'step').length).toBeGreaterThanOrEqual(10);
    expect(all.filter((c) => c.kind === 'heading').length).toBeGreaterThanOrEqual(8);
    for (const doc of ['domain', 'providers', 'console', 'architecture'])
      expect(all.some((c) => c.doc === doc)).toBe(true);
  });

  it('every cited section number, step and heading exists in its docs file', () => {
    const docText = Object.fromEntries(
      DOCS.map((d) => [d, readFileSync(join(REPO_ROOT, 'docs', `${d}.md`), 'utf8')]),
    );
    const broken = all.flatMap((c) => {
      const why = unresolved(c, docText[c.doc]);
      return why ? [`${c.where}: ${c.doc}.md ${c.target}: ${why}`] : [];
    });
    expect([...new Set(broken)]).toEqual([]);
  });

  it('reads every citation form, and a number or heading the docs file lacks is reported', () => {
    // built by concatenation so that this file's own scan does not see them
    const md = (d: string) => `docs/${d}` + '.md';
    const text = fold(
      [
        `/** see ${md('providers')} section 2.7 and ${md('domain')} sections 2 and 8,`,
        ` * ${md('providers')} §1.2-1.8, ${md('domain')} section 4, step 5, providers` + '.md 3.2,',
        ` * ${md('domain')} step 9, ${md('console')} "Keys", ${md('architecture')}, "The day's`,
        ` * stages" and ${md('providers')} section`,
        ` * 9.9 */`,
      ].join('\n'),
    );
    const cs = citationsIn(text, 'x');
    expect(cs.map((c) => `${c.doc} ${c.kind} ${c.target}`)).toEqual([
      'providers section 2.7',
      'domain section 2',
      'domain section 8',
      'providers section 1.2',
      'providers section 1.8',
      'domain section 4',
      'domain step 4#5',
      'providers section 3.2',
      'domain step 4#9',
      'console heading Keys',
      "architecture heading The day's stages",
      'providers section 9.9',
    ]);
    const doc =
      '# T\n\n## 1. One\n\n1. first\n2. second\n\n### 1.6 Sub\n\n#### 1.6.5 Types\n\n## Keys\n';
    const c = (kind: Citation['kind'], target: string): Citation => ({
      doc: 'd',
      kind,
      target,
      where: 'x',
    });
    expect(unresolved(c('section', '1'), doc)).toBeNull();
    expect(unresolved(c('section', '1.6.5'), doc)).toBeNull();
    expect(unresolved(c('section', '1.6.4'), doc)).toBe('no heading numbered 1.6.4');
    expect(unresolved(c('section', '1.6.5.1'), doc)).toBe('no heading numbered 1.6.5.1');
    expect(unresolved(c('section', '2'), doc)).toBe('no heading numbered 2');
    expect(unresolved(c('step', '1#2'), doc)).toBeNull();
    expect(unresolved(c('step', '1#3'), doc)).toBe('section 1 has no numbered step 3');
    expect(unresolved(c('heading', 'Keys'), doc)).toBeNull();
    expect(unresolved(c('heading', 'Modes'), doc)).toBe('no heading "Modes"');
  });
});
