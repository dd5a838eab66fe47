/** bench/history.js: numeric figures flattened, compared with the previous run of the same benchmark and CPU count. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error plain JavaScript module of the benchmarks (no types)
import { changeLines, flatten, previousRun } from '../../bench/history.js';
import { tempDir } from '../helpers/paths.js';

describe('benchmark history', () => {
  it('flattens numeric figures, naming array items by mode or key', () => {
    expect(
      flatten({
        backfill: { wallS: 17.5, summary: 'x' },
        simDay: [
          { mode: 'prefilter', wallS: 5 },
          { mode: 'exhaustive', wallS: 108 },
        ],
      }),
    ).toEqual({
      'backfill.wallS': 17.5,
      'simDay.prefilter.wallS': 5,
      'simDay.exhaustive.wallS': 108,
    });
  });

  it('compares with the previous run of the same benchmark and CPU count, skipping torn lines', () => {
    const h = join(tempDir(), 'history.jsonl');
    writeFileSync(
      h,
      [
        JSON.stringify({ bench: 'latest', machine: { cpus: 2 }, figures: { wallS: 10 } }),
        JSON.stringify({ bench: 'latest', machine: { cpus: 8 }, figures: { wallS: 4 } }),
        JSON.stringify({ bench: 'console-ui', machine: { cpus: 2 }, figures: { wallS: 1 } }),
        '{"bench":"latest","mach',
      ].join('\n') + '\n',
    );
    const prev = previousRun('latest', 2, h);
    expect(prev.figures).toEqual({ wallS: 10 });
    const lines = changeLines({ wallS: 12, newFigure: 3 }, prev.figures) as string[];
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/wallS\s+10 -> 12\s+\(\+20\.0%\)\s+<-/);
    expect(previousRun('latest', 4, h)).toBeNull();
  });
});
