/**
 * Diagnostic memory probe (issue 13 point 1), switched on by the environment variable
 * GAPCTL_MEM_PROBE=<file>: the engine worker calls it at the end of each scanned day and the main
 * thread when a snapshot reports a new day done; each call appends one JSON line to that file with
 * the calling thread, a label (the day that ended, or `main`), the process's RSS and peak RSS
 * (Linux /proc/self/status VmRSS / VmHWM, kB), its thread count, and this thread's V8 figures
 * (`process.memoryUsage()` heapUsed / heapTotal / external / arrayBuffers, bytes). With
 * GAPCTL_MEM_SNAPSHOTS=N,M,... the Nth, Mth ... call of a thread also writes a V8 heap snapshot
 * next to the file (`<file>.<thread>.<N>.heapsnapshot`; compare two by constructor and shape to find
 * what grows). Off (a no-op) when GAPCTL_MEM_PROBE is unset. Never throws: a probe that cannot write
 * is skipped (it is a measuring aid, not product output).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { writeHeapSnapshot } from 'node:v8';

/** Calls of {@link memProbe} in this thread (numbering GAPCTL_MEM_SNAPSHOTS). */
let calls = 0;

/** One line of the probe file. */
export interface MemProbeLine {
  /** Epoch ms. */
  t: number;
  thread: 'main' | 'worker';
  label: string;
  /** Process RSS and peak RSS, kB (null off Linux). */
  rssKb: number | null;
  hwmKb: number | null;
  /** Threads of the process (null off Linux). */
  threads: number | null;
  /** This thread's V8 heap and buffers, bytes. */
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/**
 * Appends one probe line for `label` to `file` (default: GAPCTL_MEM_PROBE; nothing when unset),
 * and writes a heap snapshot when this call's number is listed in `snapshots` (default:
 * GAPCTL_MEM_SNAPSHOTS). See the module comment. Never throws.
 */
export function memProbe(
  label: string,
  file: string | undefined = process.env.GAPCTL_MEM_PROBE,
  snapshots: string | undefined = process.env.GAPCTL_MEM_SNAPSHOTS,
): void {
  if (!file) return;
  try {
    let status = '';
    try {
      status = readFileSync('/proc/self/status', 'utf8');
    } catch {
      // not Linux: the V8 figures only
    }
    const kb = (key: string): number | null => {
      const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status);
      return m ? Number(m[1]) : null;
    };
    const mu = process.memoryUsage();
    const thread = isMainThread ? 'main' : 'worker';
    const line: MemProbeLine = {
      t: Date.now(),
      thread,
      label,
      rssKb: kb('VmRSS'),
      hwmKb: kb('VmHWM'),
      threads: kb('Threads'),
      heapUsed: mu.heapUsed,
      heapTotal: mu.heapTotal,
      external: mu.external,
      arrayBuffers: mu.arrayBuffers,
    };
    appendFileSync(file, JSON.stringify(line) + '\n');
    calls++;
    if ((snapshots ?? '').split(',').map(Number).includes(calls))
      writeHeapSnapshot(`${file}.${thread}.${calls}.heapsnapshot`);
  } catch {
    // a measuring aid: never in the way of the run
  }
}
