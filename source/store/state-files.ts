/**
 * Backfill state files in project_state/: `current_state.json` (the resume pointer, written
 * atomically by temp file + rename) and `task_log.md` (append-only, one entry per completed month).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pidAlive } from './lock.js';
import { z } from 'zod';
import { errorLine } from '../util/errors.js';
import { failpoint } from '../util/failpoint.js';

/** A calendar date `YYYY-MM-DD`. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

/** Shape of current_state.json. Dates `YYYY-MM-DD`, months `YYYY-MM`, times UTC ISO 8601. */
export const BackfillStateSchema = z.object({
  version: z.literal(1),
  range: z.object({ start: isoDate, end: isoDate }).refine((r) => r.start <= r.end, 'start after end'),
  status: z.enum(['RUNNING', 'DONE', 'HALTED', 'STOPPED', 'FAILED']),
  last_completed_month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM').nullable(),
  last_completed_day: isoDate.nullable(),
  halt_reason: z.string().nullable(),
  halted_day: isoDate.nullable().optional(),
  market: z.string(),
  /** `--market` value that reopens the market (absent in files of older builds). */
  market_spec: z.string().optional(),
  r1_mode: z.string(),
  /** Validation of the run: spot | all | none (absent in files of older builds). */
  validate: z.enum(['spot', 'all', 'none']).optional(),
  updated_at: z.string(),
});

/** The parsed resume pointer. */
export type BackfillStateFile = z.infer<typeof BackfillStateSchema>;

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
    throw new StateFileError(`state: ${path} is corrupt (${errorLine(e)}); fix or move it away, nothing was changed`);
  }
  const parsed = BackfillStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateFileError(`state: ${path} is corrupt (${issue?.path.join('.') || 'root'}: ${issue?.message}); fix or move it away, nothing was changed`);
  }
  return parsed.data;
}

/** Writes `data` to `path` atomically: a temp file in the same folder, fsync'd by writeFileSync, then rename. */
export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data, { flush: true });
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

/** Writes current_state.json atomically. */
export function writeBackfillState(stateDir: string, state: Omit<BackfillStateFile, 'version' | 'updated_at'>): BackfillStateFile {
  const full: BackfillStateFile = { version: 1, ...state, updated_at: new Date().toISOString() };
  writeFileAtomic(statePaths(stateDir).currentState, JSON.stringify(full, null, 2) + '\n');
  return full;
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
