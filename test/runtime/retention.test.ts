/**
 * Retention of per-day artifacts (issue 12.5) with an injected "now": compressed after
 * ARTIFACTS_COMPRESS_DAYS, pruned after ARTIFACTS_PRUNE_DAYS, by file age (mtime); exports and
 * state files never touched; a compressed day log still reads in the console's log pane.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { applyArtifactRetention } from '../../source/store/retention.js';
import { runArtifactRetention } from '../../source/runtime/hooks.js';
import { followDayLog, readDayLog } from '../../source/runtime/day-detail.js';
import { tempDir } from '../helpers/paths.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-29T12:00:00Z');

function fixture(): { stateDir: string; art: string; exports: string } {
  const root = tempDir();
  const stateDir = join(root, 'project_state');
  const art = join(stateDir, 'artifacts');
  const exports = join(root, 'exports');
  mkdirSync(art, { recursive: true });
  mkdirSync(exports, { recursive: true });
  const put = (path: string, text: string, ageDays: number) => {
    writeFileSync(path, text);
    const t = new Date(NOW - ageDays * DAY);
    utimesSync(path, t, t);
  };
  put(join(art, 'scan_2018-01-03.log'), 'stage UNIVERSE begin\nstage UNIVERSE end\n', 40); // compress
  put(join(art, 'pm_diag_2018-01-03.json'), '{"a":1}', 40); // compress
  put(join(art, 'scan_2018-01-04.log'), 'fresh\n', 2); // keep
  put(join(art, 'scan_2017-01-03.log.gz'), 'old', 400); // prune
  put(join(art, 'miss_audit_filters_2017-01-04.json'), '{}', 400); // prune (not compressed first)
  put(join(stateDir, 'current_state.json'), '{}', 900); // not an artifact
  put(join(exports, 'discovery_hits_2017-01-03_2017-01-31.csv'), 'h', 900); // exports never pruned
  return { stateDir, art, exports };
}

describe('artifact retention', () => {
  it('compresses after the first age, prunes after the second, by mtime, and leaves exports and state alone', () => {
    const { stateDir, art, exports } = fixture();
    const mtimeBefore = statSync(join(art, 'scan_2018-01-03.log')).mtimeMs;
    const r = applyArtifactRetention(stateDir, { compressDays: 30, pruneDays: 365, now: NOW });
    expect(r).toEqual({
      compressed: ['pm_diag_2018-01-03.json', 'scan_2018-01-03.log'],
      pruned: ['miss_audit_filters_2017-01-04.json', 'scan_2017-01-03.log.gz'],
      errors: [],
    });
    expect(existsSync(join(art, 'scan_2018-01-03.log'))).toBe(false);
    expect(gunzipSync(readFileSync(join(art, 'scan_2018-01-03.log.gz'))).toString()).toBe(
      'stage UNIVERSE begin\nstage UNIVERSE end\n',
    );
    // The compressed file keeps the original's age, so the prune clock does not restart.
    expect(statSync(join(art, 'scan_2018-01-03.log.gz')).mtimeMs).toBe(mtimeBefore);
    expect(existsSync(join(art, 'scan_2018-01-04.log'))).toBe(true);
    expect(existsSync(join(stateDir, 'current_state.json'))).toBe(true);
    expect(existsSync(join(exports, 'discovery_hits_2017-01-03_2017-01-31.csv'))).toBe(true);
    // A second pass a year later prunes the compressed file; nothing else to compress.
    const later = applyArtifactRetention(stateDir, {
      compressDays: 30,
      pruneDays: 365,
      now: NOW + 340 * DAY,
    });
    expect(later.pruned).toEqual(['pm_diag_2018-01-03.json.gz', 'scan_2018-01-03.log.gz']);
    expect(later.compressed).toEqual(['scan_2018-01-04.log']);
  });

  it('0 turns a step off; the backfill hook logs one line with what it did', () => {
    const { stateDir } = fixture();
    expect(applyArtifactRetention(stateDir, { compressDays: 0, pruneDays: 0, now: NOW })).toEqual({
      compressed: [],
      pruned: [],
      errors: [],
    });
    const logs: string[] = [];
    runArtifactRetention(
      stateDir,
      { ARTIFACTS_COMPRESS_DAYS: 30, ARTIFACTS_PRUNE_DAYS: 365 },
      (l) => logs.push(l),
      NOW,
    );
    expect(logs).toEqual([
      '[retention] artifacts: 2 compressed (older than 30 d), 2 pruned (older than 365 d)',
    ]);
    runArtifactRetention(
      stateDir,
      { ARTIFACTS_COMPRESS_DAYS: 30, ARTIFACTS_PRUNE_DAYS: 365 },
      (l) => logs.push(l),
      NOW,
    );
    expect(logs).toHaveLength(1); // nothing left to do: no line
  });

  it("a compressed day log still shows in the console's log pane (read and followed)", () => {
    const { stateDir } = fixture();
    applyArtifactRetention(stateDir, { compressDays: 30, pruneDays: 365, now: NOW });
    expect(readDayLog(stateDir, '2018-01-03', 10)).toEqual([
      'stage UNIVERSE begin',
      'stage UNIVERSE end',
    ]);
    expect(readDayLog(stateDir, '2018-01-03', 1)).toEqual(['stage UNIVERSE end']);
    const calls: { lines: string[]; reset: boolean }[] = [];
    // The first read is synchronous, inside followDayLog.
    const stop = followDayLog(stateDir, '2018-01-03', (lines, reset) =>
      calls.push({ lines, reset }),
    );
    stop();
    expect(calls[0]).toEqual({
      lines: ['stage UNIVERSE begin', 'stage UNIVERSE end'],
      reset: true,
    });
  });
});
