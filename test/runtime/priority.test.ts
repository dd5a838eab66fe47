/**
 * lowerThreadPriority (issue 13 point 4, runtime/priority.ts): on Linux it raises the calling
 * thread's nice value and leaves every other thread's, read from /proc/self/task/TID/stat (the
 * kernel's figure per thread), never from timing. The console's engine worker using it:
 * test/runtime/worker-console.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { getPriority } from 'node:os';
import { threadNice } from '../helpers/threads.js';
import { REPO_ROOT } from '../helpers/paths.js';

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
});
