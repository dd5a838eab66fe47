/**
 * An idle engine does no snapshot work (issue 13 point 4): once the console's backfill has ended
 * and the worker waits for commands, a 150 ms tick with nothing changed posts nothing; a snapshot
 * still comes at least every IDLE_HEARTBEAT_TICKS ticks (0.9 s, runtime/worker.ts). Before, the
 * worker posted one every 150 ms whatever happened, and the UI thread took each of them in.
 * Waits are on snapshots, never on time; the figures read are the snapshots' own `at` stamps.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startEngineWorker } from '../../source/runtime/host.js';
import type { BackfillSnapshot } from '../../source/contracts/events.js';
import { tempDir } from '../helpers/paths.js';
import { smallSample } from '../helpers/small-sample.js';

describe('engine worker when idle', () => {
  it('posts a snapshot only on a change or a heartbeat once the backfill has ended', async () => {
    const dir = tempDir();
    const host = startEngineWorker({
      kind: 'backfill',
      start: '2018-03-01',
      end: '2018-03-01',
      market: `replay:${smallSample({ fillerEvery: 0 })}`,
      dbPath: join(dir, 's.db'),
      validate: 'none',
      skipPhase0: true,
      interactive: true,
      env: {
        GAPCTL_STATE_DIR: join(dir, 'ps'),
        GAPCTL_EXPORT_DIR: join(dir, 'ex'),
        GAPCTL_REPORTS_DIR: join(dir, 'rep'),
        GAPCTL_LOG_DIR: join(dir, 'logs'),
      },
    });
    // The first four snapshots after the one that says DONE: the engine is idle from then on.
    const idle = await new Promise<BackfillSnapshot[]>((resolve) => {
      const got: BackfillSnapshot[] = [];
      let ended = false;
      const off = host.subscribe((s) => {
        if (ended) got.push(s);
        ended ||= s.state === 'DONE';
        if (got.length === 4) {
          off();
          resolve(got);
        }
      });
    });
    // Consecutive posts, none skipped by number, each at least ~6 ticks of 150 ms after the last
    // (600 ms: margin for timer jitter; every 150 ms before the change).
    for (let i = 1; i < idle.length; i++) {
      expect(idle[i]!.seq).toBe(idle[i - 1]!.seq + 1);
      expect(idle[i]!.at - idle[i - 1]!.at).toBeGreaterThanOrEqual(600);
    }
    expect(idle.every((s) => s.state === 'DONE')).toBe(true);
    host.send({ type: 'quit' });
    expect((await host.done).outcome.state).toBe('DONE');
  }, 120_000);
});
