/**
 * Issue 9 point 1 on every stop path: a validation stopped part-way never passes, records nothing
 * (the day's earlier validation state - qc_daily_summary, diffs, baseline_hits, enhanced_audit_log,
 * day_completeness, alerts, FAIL files - is unchanged), says "validation stopped" and ends with a
 * non-zero exit:
 *
 * - SIGTERM to `gapctl validate` (built CLI);
 * - SIGTERM to `gapctl backfill --no-tui` validating the day (ends STOPPED, not HALTED, no alert);
 * - the console's stop key: the worker's `stop` command while it serves a `validate` command;
 * - `stop` over the control socket of `gapctl backfill --headless`, and SIGTERM to it.
 *
 * The day is scanned once and given a recognisable earlier validation; each test works on its own
 * copy. The stop is sent when progress shows baseline lookups done (a progress line, a snapshot,
 * status.json), never after a fixed time; the emulator's Polygon latency keeps the remaining lookups
 * in flight meanwhile.
 *
 * The market is the small replay dataset (test/helpers/small-sample.ts: the sample's days, about
 * 450 of its 7,292 tickers), not the whole sample: every process here loads the market and runs the
 * gates before BASELINE, which cost about 2 s of CPU less per process on it. Its baseline makes about
 * 180 lookups instead of about 3,200, so the Polygon latency is 150 ms instead of 5 ms: at 8 in
 * flight the gate then lasts over 3 s, as long as before, and the stop, sent after 20 lookups at
 * the latest, still finds most of them to do (the snapshot the test stops on says so: fewer lookups
 * done than the gate's total). What is stopped is the same gate over every symbol of the day.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { smallSample } from '../helpers/small-sample.js';
import {
  readValidationState,
  seedPriorValidation,
  type ValidationState,
} from '../helpers/validation-state.js';
import { startEngineWorker } from '../../source/runtime/host.js';
import { sendControlCommand } from '../../source/runtime/control-socket.js';
import type { HeadlessStatus } from '../../source/runtime/headless.js';
import type { BackfillSnapshot } from '../../source/contracts/events.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const DAY = '2018-01-04';
const MARKET = `replay:${smallSample()}`;
const LOOKUPS_LINE = new RegExp(`^${DAY} validating  gate 10/11 BASELINE  lookups [1-9]\\d*/\\d+`);

let base: string;

function envOf(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: 'true',
    GAPCTL_DB: join(dir, 'scanner.db'),
    GAPCTL_STATE_DIR: join(dir, 'ps'),
    GAPCTL_EXPORT_DIR: join(dir, 'exports'),
    GAPCTL_REPORTS_DIR: join(dir, 'reports'),
    GAPCTL_LOG_DIR: join(dir, 'logs'),
    EMU_POLYGON_LATENCY_MS: '150',
    // The per-symbol baseline is the subject (its lookups are what the stop interrupts), not the flat file.
    BASELINE_PM_SOURCE: 'polygon',
  };
}

beforeAll(async () => {
  base = tempDir('gapctl-vstop-');
  const r = spawnSync(process.execPath, [CLI, 'scan-day', '--date', DAY, '--market', MARKET], {
    cwd: REPO_ROOT,
    env: envOf(base),
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const db = new Database(join(base, 'scanner.db'));
  seedPriorValidation(db, DAY);
  db.close();
}, 150_000);

/** A fresh folder holding a copy of the scanned store (with its earlier validation); returns it and the state before. */
async function freshCopy(): Promise<{ dir: string; before: ValidationState }> {
  const dir = tempDir('gapctl-vstop-');
  mkdirSync(join(dir, 'ps'), { recursive: true });
  const src = new Database(join(base, 'scanner.db'), { readonly: true });
  await src.backup(join(dir, 'scanner.db'));
  src.close();
  return { dir, before: readValidationState(join(dir, 'scanner.db'), join(dir, 'ps'), DAY) };
}

interface Proc {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const started: Proc[] = [];
afterEach(() => {
  for (const p of started.splice(0))
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});
afterAll(() => {
  for (const p of started.splice(0))
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

function start(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env });
  const lines: string[] = [];
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    out += d;
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  const p = { child, lines, err: () => err, exited };
  started.push(p);
  return p;
}

/** Polls `probe` (every 25 ms) until it returns a value other than undefined, or fails after `ms`. */
async function until<T>(what: string, probe: () => T | undefined, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function readStatus(dir: string): HeadlessStatus | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'ps/console/status.json'), 'utf8')) as HeadlessStatus;
  } catch {
    return undefined;
  }
}

function stateFile(dir: string): { status: string; halt_reason: string | null } {
  return JSON.parse(readFileSync(join(dir, 'ps/current_state.json'), 'utf8')) as {
    status: string;
    halt_reason: string | null;
  };
}

const BACKFILL = [
  'backfill',
  '--market',
  MARKET,
  '--start',
  DAY,
  '--end',
  DAY,
  '--validate',
  'all',
  '--skip-phase0',
];

describe('a stopped validation never passes and records nothing, on every stop path', () => {
  it('SIGTERM to gapctl validate: "validation stopped", exit 1, the day\'s earlier validation untouched', async () => {
    const { dir, before } = await freshCopy();
    const p = start(['validate', '--date', DAY, '--market', MARKET], envOf(dir));
    await until('a progress line with baseline lookups done', () =>
      p.lines.find((l) => LOOKUPS_LINE.test(l)),
    );
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 1, signal: null });
    expect(p.err()).toBe('');
    expect(p.lines.at(-1)).toMatch(
      new RegExp(
        `^${DAY} STOPPED  validation stopped during gate BASELINE, \\d+/\\d+ baseline lookups done: nothing recorded.* \\(SIGTERM\\)$`,
      ),
    );
    expect(p.lines.some((l) => / PASS | FAIL /.test(l))).toBe(false);
    expect(readValidationState(join(dir, 'scanner.db'), join(dir, 'ps'), DAY)).toEqual(before);
  });

  it('SIGTERM to gapctl backfill --no-tui while it validates: STOPPED (not HALTED, no alert), exit 1, nothing recorded', async () => {
    const { dir, before } = await freshCopy();
    const p = start([...BACKFILL, '--no-tui'], envOf(dir));
    await until('a progress line with baseline lookups done', () =>
      p.lines.find((l) => LOOKUPS_LINE.test(l)),
    );
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 1, signal: null });
    expect(p.err()).toBe('');
    expect(p.lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^\\[validate\\] ${DAY} STOPPED: validation stopped during gate BASELINE`),
      ),
    );
    expect(p.lines.at(-1)).toMatch(/^end STOPPED: stopped by the operator /);
    expect(p.lines.some((l) => /^ALERT |PASS|HALTED/.test(l))).toBe(false);
    expect(stateFile(dir)).toMatchObject({
      status: 'STOPPED',
      halt_reason: 'stopped by the operator',
    });
    expect(readValidationState(join(dir, 'scanner.db'), join(dir, 'ps'), DAY)).toEqual(before);
  });

  it("the console's stop (the worker's stop command) during a validate command: validation stopped, nothing recorded", async () => {
    const { dir, before } = await freshCopy();
    const env = envOf(dir) as Record<string, string>;
    const host = startEngineWorker({
      kind: 'backfill',
      start: DAY,
      end: DAY,
      market: MARKET,
      dbPath: join(dir, 'scanner.db'),
      validate: 'none',
      skipPhase0: true,
      interactive: true,
      env,
    });
    const logs: string[] = [];
    host.onLog((l) => logs.push(l));
    const snaps: BackfillSnapshot[] = [];
    host.subscribe((s) => snaps.push(s));
    await until('the backfill DONE', () =>
      snaps.some((s) => s.state === 'DONE') ? true : undefined,
    );
    host.send({ type: 'validate', date: DAY });
    const running = await until('a snapshot with baseline lookups done', () =>
      snaps.find((s) => (s.validation?.lookupsDone ?? 0) >= 20),
    );
    expect(running.validation).toMatchObject({
      date: DAY,
      gate: 'BASELINE',
      gateIndex: 10,
      gates: 11,
    });
    expect(running.activity).toBe(`validate ${DAY}`);
    host.send({ type: 'stop' });
    const line = await until('the validate STOPPED log line', () =>
      logs.find((l) => l.startsWith(`[validate] ${DAY} `)),
    );
    expect(line).toMatch(
      new RegExp(`^\\[validate\\] ${DAY} STOPPED: validation stopped during gate BASELINE`),
    );
    // Idle again: no validation on screen, the day's cell as it was.
    const idle = await until('an idle snapshot', () =>
      snaps.findLast((s) => s.seq > running.seq && !s.activity && !s.validation),
    );
    expect(idle.days.find((d) => d.date === DAY)).toMatchObject({
      status: 'COMPLETE',
      baselineOnly: 0,
    });
    host.send({ type: 'quit' });
    await host.done;
    expect(logs.some((l) => /PASS|FAIL/.test(l))).toBe(false);
    expect(readValidationState(join(dir, 'scanner.db'), join(dir, 'ps'), DAY)).toEqual(before);
  });

  for (const how of ['stop over the control socket', 'SIGTERM'] as const) {
    it(`${how} to a backfill --headless while it validates: STOPPED, exit 1, "validation stopped" in engine.log, nothing recorded`, async () => {
      const { dir, before } = await freshCopy();
      const p = start([...BACKFILL, '--headless'], envOf(dir));
      const v = await until('status.json showing baseline lookups done', () => {
        const s = readStatus(dir)?.snapshot?.validation;
        return s && (s.lookupsDone ?? 0) >= 20 ? s : undefined;
      });
      expect(v).toMatchObject({ date: DAY, gate: 'BASELINE', unanswered: 0 });
      // Stopped mid-gate: the baseline over every symbol of the day, most of it still to do.
      expect(v.lookupsTotal).toBeGreaterThan(100);
      expect(v.lookupsDone).toBeLessThan(v.lookupsTotal!);
      if (how === 'SIGTERM') p.child.kill('SIGTERM');
      else
        expect(await sendControlCommand(join(dir, 'ps/control.sock'), { type: 'stop' })).toEqual({
          ok: true,
        });
      expect(await p.exited).toEqual({ code: 1, signal: null });
      expect(p.err()).toBe('');
      expect(p.lines.at(-1)).toMatch(/^backfill STOPPED: .*\(stopped by the operator\)$/);
      const final = readStatus(dir)!;
      expect(final.ended).toMatchObject({ state: 'STOPPED', exit_code: 1 });
      expect(final.snapshot!.validation ?? null).toBeNull();
      const log = readFileSync(join(dir, 'ps/console/engine.log'), 'utf8');
      expect(log).toMatch(
        new RegExp(`\\[validate\\] ${DAY} STOPPED: validation stopped during gate BASELINE`),
      );
      expect(log).not.toMatch(/\[validate\] .* (PASS|FAIL)/);
      expect(stateFile(dir).status).toBe('STOPPED');
      expect(readValidationState(join(dir, 'scanner.db'), join(dir, 'ps'), DAY)).toEqual(before);
      expect(existsSync(join(dir, 'ps/control.sock'))).toBe(false);
    });
  }
});
