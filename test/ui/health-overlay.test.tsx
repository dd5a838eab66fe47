/**
 * The health overlay (issue 12: "the same checks in the console as an overlay"), rendered with
 * ink-testing-library from a canned report: `H` shows "checking…" in the very next frame and asks
 * the source once, the report then shows one line per check with a text marker per level
 * ([ ok ] / [WARN] / [CRIT]: visible without colour, coloured with it), a long report scrolls
 * within the screen, H or ESC closes it, an
 * error says why, a source without checkHealth says the checks are not available, and a late
 * answer to an older request never replaces the newer one.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../source/contracts/events.js';
import type { StepContext } from '../../source/ui/state.js';

// chalk (inside Ink) colours only when forced here: set before Ink loads (dynamic imports below),
// so the colour-on frame proves the NO_COLOR check can fail.
const hadForceColor = process.env.FORCE_COLOR;
process.env.FORCE_COLOR = '3';
afterAll(() => {
  if (hadForceColor === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = hadForceColor;
});
const { cleanup, render } = await import('ink-testing-library');
const { App } = await import('../../source/ui/App.js');
const { initialUiState, step, wantedHealth } = await import('../../source/ui/state.js');
const { FakeSource, makeSnapshot, plain } = await import('./harness.js');
type FakeSource = InstanceType<typeof FakeSource>;

afterEach(() => cleanup());

const REPORT: HealthReport = {
  level: 'critical',
  exitCode: 2,
  ms: 840,
  checks: [
    { name: 'config', level: 'ok', message: 'configuration valid (replay market)' },
    {
      name: 'theta-v3',
      level: 'ok',
      message: 'Theta Terminal v3 http://127.0.0.1:25503: CONNECTED (3 ms)',
    },
    {
      name: 'lock',
      level: 'ok',
      message: 'this console holds the store (console pid 4242 since 2018-03-09T15:40:00Z, alive)',
    },
    {
      name: 'backup',
      level: 'warn',
      message: 'no backup in /srv/gapctl/backups (gapctl db backup)',
    },
    {
      name: 'database',
      level: 'critical',
      message:
        '/srv/gapctl/db/scanner.db failed quick_check: row 12 missing from index (gapctl db check; restore a backup)',
    },
  ],
};

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A fake source whose checkHealth answers with the next deferred the test hands out. */
class HealthSource extends FakeSource {
  calls = 0;
  answers: ReturnType<typeof deferred<HealthReport>>[] = [];
  checkHealth = (): Promise<HealthReport> => {
    this.calls += 1;
    const d = deferred<HealthReport>();
    this.answers.push(d);
    return d.promise;
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function mountAt(source: FakeSource, columns: number, rows: number, color = false) {
  const r = render(<App source={source} color={color} readOnly={false} onQuit={() => {}} />);
  Object.defineProperty(r.stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(r.stdout, 'rows', { value: rows, configurable: true });
  r.stdout.emit('resize');
  const text = () => plain(r.lastFrame() ?? '');
  return { r, text };
}

function expectFits(text: string, columns: number, rows: number): void {
  const lines = text.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns);
}

/** Foreground colour SGR codes in a frame. */
function colourCodes(frame: string): string[] {
  return [...frame.matchAll(/\x1b\[([0-9;]*)m/g)]
    .filter((m) =>
      m[1]
        .split(';')
        .map(Number)
        .some((p) => (p >= 30 && p <= 37) || (p >= 90 && p <= 97)),
    )
    .map((m) => m[0]);
}

describe('health overlay', () => {
  it.each([
    [120, 40],
    [80, 24],
  ])(
    'at %ix%i: H shows checking… at once, then one marked line per check; H and ESC close it',
    async (columns, rows) => {
      const source = new HealthSource(makeSnapshot(), { watchLog: true });
      const { r, text } = mountAt(source, columns, rows);
      await until(() => text().includes('Backfill'), 'the dashboard');
      r.stdin.write('H');
      await until(() => text().includes('checking…'), 'the checking state');
      expect(text()).not.toContain('Backfill');
      expectFits(text(), columns, rows);
      await until(() => source.calls === 1, 'the request');

      source.answers[0]!.resolve(REPORT);
      await until(() => text().includes('[CRIT]'), 'the report');
      const t = text();
      expectFits(t, columns, rows);
      expect(t).toMatch(
        /gapctl health: \[CRIT\] CRITICAL +1 critical, 1 warn, 5 checks in 0\.8s \(exit 2\)/,
      );
      expect(t).toMatch(/\[ ok \] config +configuration valid \(replay market\)/);
      expect(t).toMatch(/\[ ok \] lock +this console holds the store \(console pid 4242/);
      expect(t).toMatch(/\[WARN\] backup +no backup in/);
      expect(t).toMatch(/\[CRIT\] database +\/srv\/gapctl\/db\/scanner\.db failed quick_check/);
      // The long reason wraps under itself: nothing of it is cut at 80 columns.
      expect(t.replace(/\s+/g, ' ')).toContain('(gapctl db check; restore a backup)');
      expect(t).not.toContain('checking…');

      r.stdin.write('H');
      await until(() => text().includes('Backfill'), 'the dashboard after H');
      expect(source.calls).toBe(1);

      // Opened again: a new check, and ESC closes it.
      r.stdin.write('H');
      await until(() => text().includes('checking…'), 'checking again');
      await until(() => source.calls === 2, 'the second request');
      r.stdin.write('\x1b');
      await until(() => text().includes('Backfill'), 'the dashboard after ESC');
    },
  );

  it('colours each level and keeps the text markers without colour (NO_COLOR)', async () => {
    for (const color of [true, false]) {
      const source = new HealthSource(makeSnapshot(), { watchLog: true });
      const { r, text } = mountAt(source, 120, 40, color);
      await until(() => text().includes('Backfill'), 'the dashboard');
      r.stdin.write('H');
      await until(() => source.calls === 1, 'the request');
      source.answers[0]!.resolve(REPORT);
      await until(() => text().includes('[CRIT]'), 'the report');
      const frame = r.lastFrame() ?? '';
      const critLine = frame.split('\n').find((l) => plain(l).includes('[CRIT] database'))!;
      const warnLine = frame.split('\n').find((l) => plain(l).includes('[WARN] backup'))!;
      const okLine = frame.split('\n').find((l) => plain(l).includes('[ ok ] config'))!;
      if (color) {
        // redBright, yellow, green (theme.ts tones critical, warn, ok)
        expect(colourCodes(critLine)).toContain('\x1b[91m');
        expect(colourCodes(warnLine)).toContain('\x1b[33m');
        expect(colourCodes(okLine)).toContain('\x1b[32m');
      } else {
        expect(colourCodes(frame)).toEqual([]);
        expect(plain(frame)).toContain('[CRIT] database');
      }
      cleanup();
    }
  });

  it('a full report at 80x24 keeps within the screen and scrolls with ↓ to the last check', async () => {
    const names = [
      'config',
      'keys',
      'flatfiles',
      'polygon',
      'theta-v3',
      'theta-v1',
      'disk-store',
      'disk-exports',
      'disk-logs',
      'lock',
      'database',
      'last-day',
      'sla',
      'audits',
      'baseline-only',
      'backup',
    ];
    const full: HealthReport = {
      level: 'warn',
      exitCode: 1,
      ms: 1234,
      checks: names.map((name, i) => ({
        name,
        level: i === names.length - 1 ? 'warn' : 'ok',
        message: `${name} reason ${'word '.repeat(14)}end-of-${name}`,
      })),
    };
    const source = new HealthSource(makeSnapshot(), { watchLog: true });
    const { r, text } = mountAt(source, 80, 24);
    await until(() => text().includes('Backfill'), 'the dashboard');
    r.stdin.write('H');
    await until(() => source.calls === 1, 'the request');
    source.answers[0]!.resolve(full);
    await until(() => text().includes('[ ok ] config'), 'the report');
    expectFits(text(), 80, 24);
    expect(text()).toContain('↑↓ scroll');
    expect(text()).not.toContain('end-of-backup');
    for (let i = 0; i < 30; i++) r.stdin.write('\x1b[B');
    await until(() => text().includes('end-of-backup'), 'the last check after scrolling');
    expectFits(text(), 80, 24);
    expect(text()).toMatch(/\[WARN\] backup/);
  });

  it('says why when the checks cannot run, and when the source has none', async () => {
    const source = new HealthSource(makeSnapshot(), { watchLog: true });
    const a = mountAt(source, 120, 40);
    await until(() => a.text().includes('Backfill'), 'the dashboard');
    a.r.stdin.write('H');
    await until(() => source.calls === 1, 'the request');
    source.answers[0]!.reject(new Error('the engine has no open session (starting or ended)'));
    await until(() => a.text().includes('could not run'), 'the error');
    expect(a.text()).toContain('the engine has no open session (starting or ended)');
    cleanup();

    const bare = new FakeSource(makeSnapshot(), { watchLog: true });
    const b = mountAt(bare, 120, 40);
    await until(() => b.text().includes('Backfill'), 'the dashboard');
    b.r.stdin.write('H');
    await until(() => b.text().includes('not available in this console'), 'the not-available line');
  });

  it('drops a late answer to an older request (step)', () => {
    const ctx: StepContext = { readOnly: false, logPage: 10, tooSmall: false, logMode: 'stream' };
    let s = step(initialUiState(), { type: 'snapshot', snapshot: makeSnapshot() }, ctx).state;
    s = step(s, { type: 'key', action: 'health' }, ctx).state;
    expect(s.overlay).toEqual({ kind: 'health', scroll: 0 });
    expect(wantedHealth(s)).toBe(1);
    s = step(s, { type: 'key', action: 'health' }, ctx).state; // H in the overlay closes it
    expect(s.overlay).toBeNull();
    s = step(s, { type: 'key', action: 'health' }, ctx).state; // opened again: request 2
    expect(wantedHealth(s)).toBe(2);
    s = step(s, { type: 'health', req: 1, report: REPORT, error: null }, ctx).state;
    expect(s.health).toEqual({ req: 2, report: null, error: null });
    s = step(s, { type: 'health', req: 2, report: REPORT, error: null }, ctx).state;
    expect(s.health?.report).toBe(REPORT);
    expect(wantedHealth(s)).toBeNull();
    // From the help overlay, H switches to the health overlay with a new request.
    s = step(s, { type: 'key', action: 'close' }, ctx).state;
    s = step(s, { type: 'key', action: 'help' }, ctx).state;
    s = step(s, { type: 'key', action: 'health' }, ctx).state;
    expect(s.overlay?.kind).toBe('health');
    expect(wantedHealth(s)).toBe(3);
  });
});
