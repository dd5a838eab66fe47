/**
 * The engine worker thread's priority in the console (issue 13 point 4, runtime/priority.ts): on
 * Linux the worker of an interactive job raises its own nice value to ENGINE_NICE while the
 * thread that draws the console keeps the process's, so the UI thread wins a CPU when a key
 * arrives. Read from /proc/self/task/TID/stat (the kernel's figure per thread), never from timing.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { getPriority } from 'node:os';
import { startEngineWorker, type EngineHost } from '../../source/runtime/host.js';
import type { BackfillSnapshot } from '../../source/contracts/events.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { smallSample } from '../helpers/small-sample.js';

/** Nice value of every thread of this process, by thread id (field 19 of /proc/self/task/TID/stat). */
function threadNice(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

function until(host: EngineHost, pred: (s: BackfillSnapshot) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const cur = host.current();
    if (cur && pred(cur)) return resolve();
    const off = host.subscribe((s) => {
      if (pred(s)) {
        off();
        resolve();
      }
    });
  });
}

describe.skipIf(process.platform !== 'linux')('engine thread priority (Linux)', () => {
  it('lowerThreadPriority changes the calling thread only', async () => {
    const mainBefore = getPriority(0);
    const url = pathToFileURL(join(REPO_ROOT, 'dist/runtime/priority.js')).href;
    const worker = new Worker(
      `import(${JSON.stringify(url)}).then((m) => require('node:worker_threads').parentPort.postMessage({ nice: m.lowerThreadPriority(12), again: m.lowerThreadPriority(5) }))`,
      { eval: true },
    );
    const got = await new Promise<{ nice: number | null; again: number | null }>((res, rej) => {
      worker.once('message', res);
      worker.once('error', rej);
    });
    await worker.terminate();
    // 12 set; a lower target leaves the thread where it is (a nice value is only ever raised).
    expect(got).toEqual({ nice: 12, again: 12 });
    expect(getPriority(0)).toBe(mainBefore);
    expect(threadNice().get(process.pid)).toBe(mainBefore);
  });

  it("the console's engine worker runs at ENGINE_NICE, the main (UI) thread at the process priority", async () => {
    const dir = tempDir();
    const mainBefore = getPriority(0);
    const before = new Set(threadNice().keys());
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
        ENGINE_NICE: '7',
      },
    });
    // The worker logs the line before it opens the session: by DONE it has arrived (one port, in order).
    const lines: string[] = [];
    host.onLog((l) => lines.push(l));
    await until(host, (s) => s.state === 'DONE');
    expect(lines.filter((l) => l.includes('ENGINE_NICE'))).toEqual([
      '[console] engine thread at nice 7 (ENGINE_NICE): keys first',
    ]);
    const now = threadNice();
    // The worker's thread is new since the start and is the one at 7; this thread is unchanged.
    const niced = [...now].filter(([tid, n]) => n === 7 && !before.has(tid));
    expect(niced).toHaveLength(1);
    expect(now.get(process.pid)).toBe(mainBefore);
    host.send({ type: 'quit' });
    expect((await host.done).outcome.state).toBe('DONE');
  }, 120_000);
});
