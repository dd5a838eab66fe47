/**
 * No file in source/ over 400 lines without a reason in its header: a file that long either splits
 * or says in its first 20 lines, on a line containing "over 400 lines:" (any case), why it stays whole
 * (issue 11, must hold).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

/** Longest a source file may be without a header reason. */
const MAX_LINES = 400;
/** The marker that starts the header's reason. */
const MARKER = 'over 400 lines:';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('file size', () => {
  it(`every source file over ${MAX_LINES} lines says why in its header`, () => {
    const unexplained = sourceFiles(join(REPO_ROOT, 'source')).flatMap((file) => {
      const lines = readFileSync(file, 'utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      if (lines.length <= MAX_LINES) return [];
      const reason = lines.slice(0, 20).some((l) => l.toLowerCase().includes(MARKER));
      return reason ? [] : [`${relative(REPO_ROOT, file)} (${lines.length} lines)`];
    });
    expect(unexplained).toEqual([]);
  });
});
