/**
 * Memory of the engine process (issue 13 point 1): the worker thread's V8 heap limits
 * (WORKER_MAX_OLD_MB, WORKER_MAX_YOUNG_MB), the process figures the worker posts in its snapshot
 * (RSS, peak RSS, the worker's heap), what happens when the worker reaches its heap limit (the
 * backfill is recorded HALTED with a one-line reason, never a crash), and the RSS of another
 * process for `gapctl status` (Linux /proc).
 */
import { readFileSync } from 'node:fs';
import type { ResourceLimits } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import type { Config } from '../config/index.js';
import type { MemoryInfo } from '../contracts/events.js';
import { readBackfillState, writeBackfillStateBestEffort } from '../store/state-files.js';
import { errorLine } from '../util/errors.js';

const MB = 1024 * 1024;

/**
 * The `resourceLimits` of the engine worker: old generation WORKER_MAX_OLD_MB and young generation
 * WORKER_MAX_YOUNG_MB, each left to V8's default when 0.
 */
export function workerResourceLimits(
  cfg: Pick<Config, 'WORKER_MAX_OLD_MB' | 'WORKER_MAX_YOUNG_MB'>,
): ResourceLimits {
  const limits: ResourceLimits = {};
  if (cfg.WORKER_MAX_OLD_MB > 0) limits.maxOldGenerationSizeMb = cfg.WORKER_MAX_OLD_MB;
  if (cfg.WORKER_MAX_YOUNG_MB > 0) limits.maxYoungGenerationSizeMb = cfg.WORKER_MAX_YOUNG_MB;
  return limits;
}

/**
 * The memory of this process now, for the snapshot: RSS and peak RSS of the whole process (all
 * threads; `process.memoryUsage.rss()`, `process.resourceUsage().maxRSS`), and the calling
 * thread's V8 heap in use and its limit. Whole MB.
 */
export function memorySample(): MemoryInfo {
  const heap = getHeapStatistics();
  return {
    rssMb: Math.round(process.memoryUsage.rss() / MB),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    heapUsedMb: Math.round(heap.used_heap_size / MB),
    heapLimitMb: Math.round(heap.heap_size_limit / MB),
  };
}

/** True for the error a Worker emits when it reached its `resourceLimits` (ERR_WORKER_OUT_OF_MEMORY). */
export function isWorkerOutOfMemory(e: unknown): boolean {
  return (
    !!e && typeof e === 'object' && (e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY'
  );
}

/**
 * The one-line reason of a backfill stopped by the worker's heap limit: the limit, the day that
 * was scanning (it committed nothing and is scanned again on resume) and what to do.
 */
export function outOfMemoryReason(
  cfg: Pick<Config, 'WORKER_MAX_OLD_MB'>,
  day: string | null,
): string {
  const limit =
    cfg.WORKER_MAX_OLD_MB > 0
      ? `WORKER_MAX_OLD_MB=${cfg.WORKER_MAX_OLD_MB}`
      : "V8's default heap limit";
  return (
    `engine out of memory: the worker reached its heap limit (${limit})${day ? ` while on ${day}` : ''}; ` +
    `nothing of that day was committed, it is scanned again on resume (raise WORKER_MAX_OLD_MB, then \`gapctl backfill\`)`
  );
}

/**
 * Records in current_state.json that the backfill HALTED for `reason` (halted_day `day`), keeping
 * its range and resume pointer so `gapctl backfill` resumes it. Nothing is written when there is
 * no state file or it is unreadable (the engine stopped before it started the range). Never throws.
 * @returns null when recorded or nothing to record, else a one-line error.
 */
export function recordEngineHalt(
  stateDir: string,
  reason: string,
  day: string | null,
): string | null {
  let prior;
  try {
    prior = readBackfillState(stateDir);
  } catch (e) {
    return errorLine(e);
  }
  if (!prior) return null;
  const { version: _v, updated_at: _u, ...rest } = prior;
  return writeBackfillStateBestEffort(stateDir, {
    ...rest,
    status: 'HALTED',
    halt_reason: reason,
    halted_day: day ?? prior.halted_day ?? null,
  });
}

/** Resident memory of a process: current (VmRSS) and peak (VmHWM), MB. */
export interface ProcessRss {
  rssMb: number;
  peakRssMb: number;
}

/**
 * RSS and peak RSS of process `pid` from /proc/<pid>/status (Linux); null when it cannot be read
 * (no such process, another OS, no permission).
 */
export function processRss(pid: number, procRoot = '/proc'): ProcessRss | null {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const rss = kb('VmRSS');
  if (rss === null) return null;
  return { rssMb: Math.round(rss / 1024), peakRssMb: Math.round((kb('VmHWM') ?? rss) / 1024) };
}
