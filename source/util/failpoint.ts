/**
 * Failpoints for crash tests: `GAPCTL_FAILPOINT=name:N` makes the process SIGKILL itself the N-th
 * time (1-based) execution passes failpoint `name`, e.g. `store.commit:3` kills the process inside
 * the third day's transaction before its COMMIT. Unset (production), {@link failpoint} is one
 * comparison. A SIGKILL from inside is the same as `kill -9` from outside at a point chosen exactly,
 * which is what makes a crash test deterministic.
 *
 * Names in use: `http.response` (a provider reply's headers arrived, body not read), `store.commit`
 * (inside a day's transaction, every row written, before COMMIT), `file.rename` (an atomic file's
 * temp copy written, before the rename: exports, reports, current_state.json), `tasklog.append`
 * (before a month's task_log.md entry), `stage:<name>` (a day's stage begins), `month.export`,
 * `month.validate` (a month's export or spot validation begins), `state.advance` (before
 * current_state.json records a finished month).
 */

import { isMainThread } from 'node:worker_threads';

let target: { name: string; n: number } | null | undefined;
let hits = 0;

function parse(): { name: string; n: number } | null {
  const raw = process.env.GAPCTL_FAILPOINT;
  if (!raw) return null;
  const m = /^(.+):(\d+)$/.exec(raw);
  return m ? { name: m[1]!, n: Number(m[2]) } : { name: raw, n: 1 };
}

let hog: string | null | undefined;

/**
 * Kills this process with SIGKILL when `name` is the armed failpoint and this is its N-th pass.
 * Test-only as well: `GAPCTL_MEMORY_HOG=name` makes a worker thread (never the main thread) that
 * passes `name` allocate and keep memory until its heap limit (WORKER_MAX_OLD_MB) ends it, which
 * rehearses the engine running out of memory.
 */
export function failpoint(name: string): void {
  if (hog === undefined) hog = process.env.GAPCTL_MEMORY_HOG || null;
  if (hog === name && !isMainThread) {
    const keep: number[][] = [];
    for (;;) keep.push(new Array<number>(100_000).fill(keep.length + 0.5));
  }
  if (target === undefined) target = parse();
  if (target === null || target.name !== name) return;
  hits++;
  if (hits === target.n) process.kill(process.pid, 'SIGKILL');
}

/**
 * Test-only injected write failure: `GAPCTL_FS_FAULT=ENOSPC:<substring>` makes every write through
 * {@link fsFault} to a path containing `<substring>` fail as a full disk does (`touch` creates the
 * file being written empty first, like a real write that ran out of space, then `ENOSPC: no space left on device,
 * write` is thrown). Read on each call, so a test can switch it on and off. Unset: one comparison.
 * @throws Error with code ENOSPC when armed and `path` matches.
 */
export function fsFault(path: string, touch: () => void): void {
  const raw = process.env.GAPCTL_FS_FAULT;
  if (!raw) return;
  const m = /^(ENOSPC|EDQUOT):(.+)$/.exec(raw);
  if (!m || !path.includes(m[2]!)) return;
  touch();
  throw Object.assign(new Error(`${m[1]}: no space left on device, write`), {
    code: m[1],
    errno: -28,
    syscall: 'write',
  });
}
