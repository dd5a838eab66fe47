/**
 * The engine worker thread's CPU priority in the console (issue 13 point 4): while a day runs, the
 * engine (and the embedded market it serves itself) keeps a CPU busy, and on a 2-CPU server the
 * console's UI thread then waits for a CPU before it can draw a key's effect. On Linux the nice
 * value is a per-thread attribute (setpriority(PRIO_PROCESS, 0) from a thread changes that thread
 * only, man 2 setpriority, "Bugs"), so the worker lowers its own priority and the UI thread keeps
 * the process's. Raising a nice value needs no privilege; it cannot be lowered back without one,
 * which is why only the console's worker does it (a batch run has no UI to serve).
 */
import { getPriority, setPriority } from 'node:os';

/**
 * Raises the calling thread's nice value to `nice` (0-19; a thread already at or above it is left
 * alone) and returns the thread's nice value afterwards, or null when the platform refused or has
 * no per-thread priority (the engine then runs at the process priority: slower keys, nothing lost).
 * Linux only in effect: elsewhere the call would change the whole process, so nothing is done.
 */
export function lowerThreadPriority(nice: number): number | null {
  if (process.platform !== 'linux' || nice <= 0) return null;
  try {
    const current = getPriority(0);
    if (current < nice) setPriority(0, nice);
    return getPriority(0);
  } catch {
    return null;
  }
}
