/**
 * Keeps Ink's per-line parse of styled text across frames. Ink (6.x, build/output.js) parses every
 * line of every frame from its ANSI string into styled cells (`OutputCaches.getStyledChars`,
 * @alcalzone/ansi-tokenize), with a cache that lives for one frame only; most of the console's
 * lines are the same from one frame to the next, and that parse is the largest part of a frame's
 * cost. This module gives the cache a life across frames, bounded to {@link LINE_CACHE_MAX} lines
 * (cleared when full). The parse is a pure function of the line's text and Ink does not change the
 * cells it returns (it already shares them between equal lines of one frame), so sharing them
 * between frames draws the same screen.
 *
 * The same module also makes the last step of a frame cheaper: Ink's `Output.get` fills a fresh
 * cell object for every cell of the screen (4,800 at 120x40) and turns each row back into a string
 * with a style diff between every two cells (three Sets per cell), which made about a quarter of a
 * frame's time garbage collection. {@link installInkLineCache} replaces `get` with one that fills
 * the rows with one shared blank cell and diffs styles only where two neighbouring cells differ
 * (equal styles need no codes, so the string is the same). Frames with a clip (`overflow` boxes,
 * which the console does not use) keep Ink's own `get`. Before the new `get` is kept it is checked
 * against Ink's on sample frames (colours, wide characters, transformers); on any difference Ink's
 * stays.
 *
 * Ink does not export its Output class: it is reached by the file next to Ink's entry. When that
 * file or the shape of its cache is not what this expects (another Ink version), nothing is
 * changed and {@link installInkLineCache} returns false.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Most parsed lines kept across frames. */
export const LINE_CACHE_MAX = 4000;

let installed: boolean | null = null;
let fastFrames = false;

interface CachesProto {
  getStyledChars(line: string): unknown;
}

/** An ANSI code of a styled cell (@alcalzone/ansi-tokenize). */
interface AnsiCode {
  type: string;
  code: string;
  endCode: string;
}
/** A styled cell of Ink's output grid. */
interface StyledChar {
  type: string;
  value: string;
  fullWidth: boolean;
  styles: AnsiCode[];
}
/** The parts of Ink's Output (6.x) that the fast `get` uses. */
interface InkOutput {
  width: number;
  height: number;
  operations: Array<
    | {
        type: 'write';
        x: number;
        y: number;
        text: string;
        transformers: Array<(line: string, index: number) => string>;
      }
    | { type: 'clip'; clip: unknown }
    | { type: 'unclip' }
  >;
  caches: { getStyledChars(line: string): StyledChar[]; getStringWidth(text: string): number };
  write(
    x: number,
    y: number,
    text: string,
    options: { transformers: Array<(line: string, index: number) => string> },
  ): void;
  get(): { output: string; height: number };
}
type OutputClass = new (o: { width: number; height: number }) => InkOutput;
/** The two style functions of @alcalzone/ansi-tokenize that rows need where styles change. */
interface StyleFns {
  ansiCodesToString(codes: AnsiCode[]): string;
  diffAnsiCodes(from: AnsiCode[], to: AnsiCode[]): AnsiCode[];
}

/** True when two cells' styles are the same codes in the same order (then no code is written between them). */
function sameStyles(a: AnsiCode[], b: AnsiCode[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i]!.code !== b[i]!.code || a[i]!.endCode !== b[i]!.endCode) return false;
  return true;
}

/**
 * A row of cells as Ink's `styledCharsToString` writes it (holes skipped, as Ink's filter does):
 * the first cell's codes, the diff where two neighbours differ, the reset after the last cell.
 * Equal neighbours need no diff: Ink's `diffAnsiCodes` of equal styles is empty.
 */
function rowToString(row: Array<StyledChar | undefined>, f: StyleFns): string {
  let ret = '';
  let prev: AnsiCode[] | null = null;
  for (let i = 0; i < row.length; i++) {
    const ch = row[i];
    if (ch === undefined) continue;
    const st = ch.styles;
    if (prev === null) {
      if (st.length > 0) ret += f.ansiCodesToString(st);
    } else if (!sameStyles(prev, st)) ret += f.ansiCodesToString(f.diffAnsiCodes(prev, st));
    ret += ch.value;
    prev = st;
  }
  if (prev !== null && prev.length > 0) ret += f.ansiCodesToString(f.diffAnsiCodes(prev, []));
  return ret;
}

/**
 * Ink 6's `Output.get` without clipping (a frame with a clip goes to `fallback`, Ink's own): the
 * same grid, filled with one shared blank cell, the same writes, rows written by {@link rowToString}.
 */
function makeFastGet(
  fallback: () => { output: string; height: number },
  f: StyleFns,
): (this: InkOutput) => { output: string; height: number } {
  const blank: StyledChar = { type: 'char', value: ' ', fullWidth: false, styles: [] };
  return function get(this: InkOutput) {
    for (const op of this.operations) if (op.type !== 'write') return fallback.call(this);
    const output: Array<Array<StyledChar | undefined>> = [];
    for (let y = 0; y < this.height; y++)
      output.push(new Array<StyledChar>(this.width).fill(blank));
    for (const op of this.operations) {
      if (op.type !== 'write') continue;
      const { x, y, text, transformers } = op;
      const lines = text.split('\n');
      let offsetY = 0;
      for (let index = 0; index < lines.length; index++) {
        let line = lines[index]!;
        const currentLine = output[y + offsetY];
        // a line below the grid (text taller than the output) is skipped, as Ink does
        if (!currentLine) continue;
        for (const transformer of transformers) line = transformer(line, index);
        const characters = this.caches.getStyledChars(line);
        let offsetX = x;
        for (const character of characters) {
          currentLine[offsetX] = character;
          const characterWidth = Math.max(1, this.caches.getStringWidth(character.value));
          // a wide character: the cells it covers are cleared (Ink's rule)
          for (let k = 1; k < characterWidth; k++)
            currentLine[offsetX + k] = {
              type: 'char',
              value: '',
              fullWidth: false,
              styles: character.styles,
            };
          offsetX += characterWidth;
        }
        offsetY++;
      }
    }
    let out = '';
    for (let y = 0; y < output.length; y++) {
      if (y > 0) out += '\n';
      out += rowToString(output[y]!, f).trimEnd();
    }
    return { output: out, height: output.length };
  };
}

/** Sample frames the fast `get` must write exactly as Ink's does before it is kept. */
function sampleFrames(Output: OutputClass): InkOutput[] {
  const frames: InkOutput[] = [];
  const upper = (l: string): string => l.toUpperCase();
  const mk = (
    w: number,
    h: number,
    writes: Array<[number, number, string, Array<(l: string, i: number) => string>?]>,
  ): void => {
    const o = new Output({ width: w, height: h });
    for (const [x, y, t, tr] of writes) o.write(x, y, t, { transformers: tr ?? [] });
    frames.push(o);
  };
  mk(30, 6, [
    [0, 0, '\x1b[1m\x1b[32mgapctl\x1b[39m\x1b[22m RUNNING \x1b[7m sel \x1b[27m'],
    [2, 1, 'plain text\nsecond \x1b[2mdim\x1b[22m\x1b[1mbold\x1b[22m line'],
    [0, 3, '日本 wide \x1b[31m✓\x1b[39m ‖ ▶', [upper]],
    [25, 4, 'beyond the width of the grid'],
    [0, 5, '\x1b[38;5;208morange\x1b[39m\x1b[48;2;1;2;3mbg\x1b[49m'],
    [4, 0, 'over'],
  ]);
  mk(10, 2, [[0, 0, 'a\nb\nc\nd']]);
  mk(5, 1, []);
  return frames;
}

/**
 * Installs the cross-frame line cache and the fast frame serialisation once (later calls return
 * the first answer). Returns true when Ink's output caches were found and patched (the line
 * cache); whether the fast `get` is in use too says {@link inkFastFrames}.
 */
export async function installInkLineCache(): Promise<boolean> {
  if (installed !== null) return installed;
  installed = false;
  try {
    const entry = createRequire(import.meta.url).resolve('ink');
    const mod = (await import(pathToFileURL(join(dirname(entry), 'output.js')).href)) as {
      default?: OutputClass;
    };
    const Output = mod.default;
    if (typeof Output !== 'function') return false;
    const caches = new Output({ width: 1, height: 1 }).caches;
    const proto = caches ? (Object.getPrototypeOf(caches) as CachesProto | null) : null;
    if (!proto || typeof proto.getStyledChars !== 'function') return false;
    const original = proto.getStyledChars;
    const shared = new Map<string, unknown>();
    proto.getStyledChars = function getStyledChars(this: CachesProto, line: string): unknown {
      let cells = shared.get(line);
      if (cells === undefined) {
        cells = original.call(this, line);
        if (shared.size >= LINE_CACHE_MAX) shared.clear();
        shared.set(line, cells);
      }
      return cells;
    };
    installed = true;
    await installFastGet(entry, Output);
  } catch {
    // whatever failed left Ink's own code in place
  }
  return installed;
}

/** True once {@link installInkLineCache} has replaced Ink's `Output.get` (see the module doc). */
export function inkFastFrames(): boolean {
  return fastFrames;
}

/** Replaces `Output.prototype.get` when the replacement writes the sample frames exactly as Ink does. */
async function installFastGet(inkEntry: string, Output: OutputClass): Promise<void> {
  const proto = Output.prototype as InkOutput;
  const inkGet = proto.get;
  if (typeof inkGet !== 'function') return;
  // Ink's own copy of @alcalzone/ansi-tokenize (its exports list only `import`, so the file is reached by the package folder)
  const pkg = createRequire(inkEntry).resolve('@alcalzone/ansi-tokenize/package.json');
  const meta = JSON.parse(readFileSync(pkg, 'utf8')) as {
    exports?: { '.'?: { import?: string } };
    module?: string;
  };
  const rel = meta.exports?.['.']?.import ?? meta.module;
  if (!rel) return;
  const fns = (await import(pathToFileURL(join(dirname(pkg), rel)).href)) as Partial<StyleFns>;
  if (typeof fns.ansiCodesToString !== 'function' || typeof fns.diffAnsiCodes !== 'function')
    return;
  const fast = makeFastGet(inkGet, fns as StyleFns);
  for (const o of sampleFrames(Output)) {
    const a = inkGet.call(o);
    const b = fast.call(o);
    if (a.output !== b.output || a.height !== b.height) return;
  }
  proto.get = fast;
  fastFrames = true;
}
