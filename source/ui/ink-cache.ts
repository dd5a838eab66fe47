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
 * Ink does not export its Output class: it is reached by the file next to Ink's entry. When that
 * file or the shape of its cache is not what this expects (another Ink version), nothing is
 * changed and {@link installInkLineCache} returns false.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Most parsed lines kept across frames. */
export const LINE_CACHE_MAX = 4000;

let installed: boolean | null = null;

interface CachesProto {
  getStyledChars(line: string): unknown;
}

/**
 * Installs the cross-frame line cache once (later calls return the first answer). Returns true when
 * Ink's output caches were found and patched.
 */
export async function installInkLineCache(): Promise<boolean> {
  if (installed !== null) return installed;
  installed = false;
  try {
    const entry = createRequire(import.meta.url).resolve('ink');
    const mod = (await import(pathToFileURL(join(dirname(entry), 'output.js')).href)) as { default?: new (o: { width: number; height: number }) => { caches?: object } };
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
  } catch {
    installed = false;
  }
  return installed;
}
