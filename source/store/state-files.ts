/**
 * Backfill state files in project_state/: `current_state.json` (the resume pointer, written
 * atomically by temp file + rename) and `task_log.md` (append-only, one entry per completed month).
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pidAlive } from './lock.js';
import { z } from 'zod';
import { errorLine } from '../util/errors.js';
import { ENDED_BACKFILL_STATE_LIST } from '../contracts/states.js';
import { failpoint, fsFault } from '../util/failpoint.js';
import { withPath } from '../util/fs-errors.js';

/** A calendar date `YYYY-MM-DD`. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
      new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'not a calendar date',
  );

/** Shape of current_state.json. Dates `YYYY-MM-DD`, months `YYYY-MM`, times UTC ISO 8601. */
export const BackfillStateSchema = z.object({
  version: z.literal(1),
  range: z
    .object({ start: isoDate, end: isoDate })
    .refine((r) => r.start <= r.end, 'start after end'),
  /** FOLLOWING: `backfill --follow` finished the range and waits for the next trading day's data (next_scan_at). */
  status: z.enum(['RUNNING', ...ENDED_BACKFILL_STATE_LIST, 'FOLLOWING']),
  last_completed_month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM')
    .nullable(),
  last_completed_day: isoDate.nullable(),
  halt_reason: z.string().nullable(),
  halted_day: isoDate.nullable().optional(),
  market: z.string(),
  /** `--market` value that reopens the market (absent in files of older builds). */
  market_spec: z.string().optional(),
  r1_mode: z.string(),
  /** Validation of the run: spot | all | none (absent in files of older builds). */
  validate: z.enum(['spot', 'all', 'none']).optional(),
  /**
   * A `--rerun` in progress: its range and when it began (UTC ISO). A day of the range is rescanned
   * until its day_completeness.updated_at is at or after `started_at`, so a plain `gapctl backfill`
   * after an interrupted rerun rescans exactly the days the rerun had not yet rescanned. Cleared
   * (null) when the rerun's range is done.
   */
  rerun: z.object({ start: isoDate, end: isoDate, started_at: z.string() }).nullable().optional(),
  /**
   * The run's R1 proof setting: `auto` (every scanned day proven) or `off` (`--no-proof` /
   * R1_PROOF=off: the days it scans stay unproven). Absent in files of older builds.
   */
  proof: z.enum(['auto', 'off']).optional(),
  /** `--follow`: the run keeps following the market after its range (absent in older files). */
  follow: z.boolean().optional(),
  /** Follow mode: the next trading day to scan and when its data is due (UTC ISO 8601, and the same instant in ET `YYYY-MM-DD HH:MM ET`); null while scanning. */
  next_scan_day: isoDate.nullable().optional(),
  next_scan_at: z.string().nullable().optional(),
  next_scan_et: z.string().nullable().optional(),
  updated_at: z.string(),
  /**
   * The store this backfill writes (resolved absolute path and store_meta.store_id); the state is
   * never read against another store. Absent in files of older builds (such a state names no store).
   */
  store: z.object({ path: z.string(), id: z.string().nullable() }).optional(),
});

/** The parsed resume pointer. */
export type BackfillStateFile = z.infer<typeof BackfillStateSchema>;

/**
 * Whether the state file belongs to the store `ref` (resolved path and store id): 'same' when the
 * ids are equal (or, lacking an id on either side, the paths are), 'other' when they differ,
 * 'unknown' when the state names no store (written by an older gapctl).
 */
export function stateStoreMatch(
  state: Pick<BackfillStateFile, 'store'>,
  ref: { path: string; id: string | null },
): 'same' | 'other' | 'unknown' {
  const s = state.store;
  if (!s) return 'unknown';
  if (s.id && ref.id) return s.id === ref.id ? 'same' : 'other';
  return resolve(s.path) === resolve(ref.path) ? 'same' : 'other';
}

/** "/abs/a.db (store id X)" for messages. */
export function storeText(ref: { path: string; id: string | null }): string {
  return `${ref.path}${ref.id ? ` (store id ${ref.id})` : ''}`;
}

/** A state file that exists but cannot be used; the message is one line and the file is left as is. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

/** Paths of the state folder's files. */
export function statePaths(stateDir: string) {
  return {
    currentState: join(stateDir, 'current_state.json'),
    taskLog: join(stateDir, 'task_log.md'),
    helpRequest: join(stateDir, 'HELP_REQUEST.md'),
    artifacts: join(stateDir, 'artifacts'),
    failFile: (gate: string, date: string) => join(stateDir, `FAIL_${gate}_${date}.md`),
  };
}

/**
 * Reads current_state.json; null when absent.
 * @throws StateFileError when it is not valid JSON of the expected shape (the file is not touched).
 */
export function readBackfillState(stateDir: string): BackfillStateFile | null {
  const path = statePaths(stateDir).currentState;
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new StateFileError(
      `state: ${path} is corrupt (${errorLine(e)}); fix or move it away, nothing was changed`,
    );
  }
  const parsed = BackfillStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateFileError(
      `state: ${path} is corrupt (${issue?.path.join('.') || 'root'}: ${issue?.message}); fix or move it away, nothing was changed`,
    );
  }
  return parsed.data;
}

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, fsync'd by writeFileSync, then
 * rename. A failed write (a full disk) removes its temp copy and leaves `path` as it was: no empty
 * or partial file is ever left behind.
 * @throws Error naming `path`, with the system error's code (ENOSPC, EACCES, ...).
 */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fsFault(path, () => writeFileSync(tmp, ''));
    writeFileSync(tmp, data, { flush: true });
  } catch (e) {
    rmSync(tmp, { force: true });
    throw withPath(e, path);
  }
  failpoint('file.rename');
  renameSync(tmp, path);
}

/** Temp copies written by {@link writeFileAtomic}: `<name>.<pid>.<ms>.tmp`. */
const TEMP_RE = /\.(\d+)\.\d+\.tmp$/;

/**
 * True when `fileName` is a temp copy {@link writeFileAtomic} left behind (its writer's pid is gone);
 * with `of`, only a temp copy of that file name.
 */
export function isStaleTemp(fileName: string, of?: string): boolean {
  if (of !== undefined && !fileName.startsWith(`${of}.`)) return false;
  const m = TEMP_RE.exec(fileName);
  return m !== null && (of === undefined || m.index === of.length) && !pidAlive(Number(m[1]));
}

/**
 * Removes the temp copies {@link writeFileAtomic} left in `dir` (and its sub-folders) when its
 * process was killed between the write and the rename; temps of live processes are left alone.
 * A missing folder is fine. Returns the paths removed.
 */
export function sweepStaleTemps(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (TEMP_RE.test(name)) {
      if (isStaleTemp(name)) {
        rmSync(p, { force: true });
        removed.push(p);
      }
    } else if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) {
      removed.push(...sweepStaleTemps(p));
    }
  }
  return removed;
}

/**
 * Writes current_state.json atomically.
 * @throws Error naming the file when it cannot be written (see {@link writeBackfillStateBestEffort}).
 */
export function writeBackfillState(
  stateDir: string,
  state: Omit<BackfillStateFile, 'version' | 'updated_at'>,
): BackfillStateFile {
  const full: BackfillStateFile = { version: 1, ...state, updated_at: new Date().toISOString() };
  writeFileAtomic(statePaths(stateDir).currentState, JSON.stringify(full, null, 2) + '\n');
  return full;
}

/**
 * Records an end state (HALTED on a full disk) when even that may not fit: atomically first; when
 * that fails for lack of space, in place (truncating the old file frees its blocks, which the new
 * one, about the same size, reuses). Never throws: returns the error line when nothing could be
 * written, else null.
 */
export function writeBackfillStateBestEffort(
  stateDir: string,
  state: Omit<BackfillStateFile, 'version' | 'updated_at'>,
): string | null {
  try {
    writeBackfillState(stateDir, state);
    return null;
  } catch (e) {
    const full: BackfillStateFile = { version: 1, ...state, updated_at: new Date().toISOString() };
    try {
      writeFileSync(statePaths(stateDir).currentState, JSON.stringify(full, null, 2) + '\n', {
        flush: true,
      });
      return null;
    } catch (e2) {
      return errorLine(withPath(e2, statePaths(stateDir).currentState)) || errorLine(e);
    }
  }
}

/**
 * Appends a month's entry to task_log.md (created with its title when absent). An entry whose
 * `## ` heading equals the last heading in the file is not appended again: that is the same month
 * finished again by a run resumed after a crash between this append and the state update.
 */
export function appendTaskLog(stateDir: string, entry: string): boolean {
  const path = statePaths(stateDir).taskLog;
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) writeFileSync(path, '# gapctl backfill task log\n');
  const heading = /^## .*$/m.exec(entry)?.[0];
  if (heading) {
    const headings = readFileSync(path, 'utf8').match(/^## .*$/gm);
    if (headings && headings[headings.length - 1] === heading) return false;
  }
  appendFileSync(path, '\n' + (entry.endsWith('\n') ? entry : entry + '\n'));
  return true;
}
