/**
 * The console's engine worker thread (an interactive job) on a one-day backfill of the small
 * replay sample, one worker shared by two checks (issue 13 point 4):
 * - its priority: on Linux the worker raises its own nice value to ENGINE_NICE while the thread
 *   that draws the console keeps the process's, so the UI thread wins a CPU when a key arrives
 *   (runtime/priority.ts; read from /proc/self/task/TID/stat, the kernel's figure per thread);
 * - an idle engine does no snapshot work: once the backfill has ended and the worker waits for
 *   commands, a 150 ms tick with nothing changed posts nothing; a snapshot still comes at least
 *   every IDLE_HEARTBEAT_TICKS ticks (0.9 s, runtime/worker.ts). Before, the worker posted one
 *   every 150 ms whatever happened, and the UI thread took each of them in.
 * Waits are on snapshots and log lines, never on time; the figures read are the snapshots' own
 * `at` stamps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { getPriority } from 'node:os';
import { threadNice } from '../helpers/threads.js';
import { startEngineWorker, type EngineHost } from '../../source/runtime/host.js';
import type { BackfillSnapshot } from '../../source/contracts/events.js';
import { tempDir } from '../helpers/paths.js';
import { smallSample } from '../helpers/small-sample.js';

let host: EngineHost;
const lines: string[] = [];
let threadsBefore: Set<number>;
let mainBefore: number;
/** The first four snapshots after the one that says DONE: the engine is idle from then on. */
let idle: Promise<BackfillSnapshot[]>;

beforeAll(() => {
  const dir = tempDir();
  mainBefore = getPriority(0);
  threadsBefore = new Set(process.platform === 'linux' ? threadNice().keys() : []);
  host = startEngineWorker({
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
      ENGINE_NICE: '7',
    },
  });
  host.onLog((l) => lines.push(l));
  idle = new Promise<BackfillSnapshot[]>((resolve) => {
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
});

afterAll(async () => {
  host.send({ type: 'quit' });
  expect((await host.done).outcome.state).toBe('DONE');
}, 60_000);

describe("the console's engine worker", () => {
  it.skipIf(process.platform !== 'linux')(
    'runs at ENGINE_NICE; the main (UI) thread keeps the process priority',
    async () => {
      // The worker logs the line before it opens the session: by the first idle snapshot it has
      // arrived (one port, in order).
      await idle;
      expect(lines.filter((l) => l.includes('ENGINE_NICE'))).toEqual([
        '[console] engine thread at nice 7 (ENGINE_NICE): keys first',
      ]);
      const now = threadNice();
      // The worker's thread is new since the start and is the one at 7; this thread is unchanged.
      const niced = [...now].filter(([tid, n]) => n === 7 && !threadsBefore.has(tid));
      expect(niced).toHaveLength(1);
      expect(now.get(process.pid)).toBe(mainBefore);
    },
    60_000,
  );

  it('posts a snapshot only on a change or a heartbeat once the backfill has ended', async () => {
    const got = await idle;
    // Consecutive posts, none skipped by number, each at least ~6 ticks of 150 ms after the last
    // (600 ms: margin for timer jitter; every 150 ms before the change).
    for (let i = 1; i < got.length; i++) {
      expect(got[i]!.seq).toBe(got[i - 1]!.seq + 1);
      expect(got[i]!.at - got[i - 1]!.at).toBeGreaterThanOrEqual(600);
    }
    expect(got.every((s) => s.state === 'DONE')).toBe(true);
  }, 60_000);
});
