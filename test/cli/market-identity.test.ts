/**
 * One store, one market (issue 9 point 2, domain.md section 15), as an operator meets it through
 * dist/cli.js: a store records its market when created; another market (another sim seed, a replay
 * dataset, another replay manifest) is refused by scan-day, backfill (also --dry-run) and validate in
 * one line naming both, and nothing is written; `--switch-market` records an intended switch from a
 * date on (shown by status, the days before keep their market, the switched day is scanned as a
 * fresh store of the new market scans it); a store of an older gapctl adopts the first market once.
 * And the backfill state names its store: `status --db OTHER.db` does not show the state of another
 * store, `backfill` does not resume it.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { dumpStore, readTree, runEnv } from '../helpers/outcome.js';
import { MIGRATIONS } from '../../source/store/schema.js';
import {
  ensureMarket,
  marketHistory,
  MarketMismatchError,
  storeRefOf,
} from '../../source/store/market-identity.js';
import { Store } from '../../source/store/store.js';
import { openDb } from '../../source/store/db.js';
import { writeBackfillState } from '../../source/store/state-files.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
/** The simulated markets' universe here: which market a store holds does not depend on its size. */
const SMALL_SIM = { SIM_TICKERS: '2000' };
/**
 * Smaller still where no day's hits are compared (a store that only has to hold a market, a phase 0
 * that halts before any scan); the switch test keeps {@link SMALL_SIM}, whose hits it compares.
 */
const TINY_SIM = { SIM_TICKERS: '300' };

function gapctl(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Everything under root but SQLite's -wal/-shm index files and the application log. */
function filesOf(root: string): Record<string, string> {
  return readTree(root, (rel) => !/\.db-(wal|shm)$/.test(rel) && !rel.startsWith('logs'));
}

function expectRefusal(r: { code: number | null; err: string }, pattern: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
}

/** The store bytes and rows, and every file, before and after: unchanged by a refusal. */
function unchanged(root: string, db: string, act: () => void): void {
  const bytes = readFileSync(db);
  const rows = dumpStore(db);
  const files = filesOf(root);
  act();
  expect(dumpStore(db)).toEqual(rows);
  expect(readFileSync(db).equals(bytes)).toBe(true);
  expect(filesOf(root)).toEqual(files);
}

describe('one store, one market', () => {
  it('a sim:5 store refuses sim:6 and replay in one line naming both; nothing is written', () => {
    const root = tempDir();
    const { env, dirs } = runEnv(root, TINY_SIM);
    const first = gapctl(env, 'scan-day', '--market', 'sim:5', '--date', '2024-03-04');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/market sim:5 recorded \(store id [0-9a-f]{32}\)/);

    unchanged(root, dirs.db, () => {
      expectRefusal(
        gapctl(env, 'scan-day', '--market', 'sim:6', '--date', '2024-03-04'),
        /store .*scanner\.db holds market sim:5; refusing sim:6 \(.*--switch-market/,
      );
      expectRefusal(
        gapctl(
          env,
          'backfill',
          '--market',
          'sim:6',
          '--start',
          '2024-03-04',
          '--end',
          '2024-03-05',
          '--skip-phase0',
        ),
        /holds market sim:5; refusing sim:6/,
      );
      expectRefusal(
        gapctl(env, 'validate', '--market', 'sim:6', '--date', '2024-03-04'),
        /holds market sim:5; refusing sim:6/,
      );
      // the bundled replay dataset, named by its dataset name and manifest hash; a switch cannot start on a stored day
      expectRefusal(
        gapctl(env, 'scan-day', '--market', 'replay', '--date', '2018-01-04', '--switch-market'),
        /holds days of market sim:5 up to 2024-03-04; refusing to switch to replay:2018q1@[0-9a-f]{12} from 2018-01-04/,
      );
    });
  });

  it("--switch-market records a switch from a date on, shown by status; days keep their market; the new market never reads the old market's stored bars", async () => {
    const root = tempDir();
    const { env, dirs } = runEnv(root, SMALL_SIM);
    // A store of sim:5 holding 2024-03-04, whose stored grouped daily has a single bar: a scan of
    // 2024-03-05 that took its previous close from it would find almost no previous close.
    const { marketIdentity } = await import('../../source/runtime/market-identity.js');
    const { completeness } = await import('../export/fixtures.js');
    const store = Store.open(dirs.db);
    const sim5 = marketIdentity(
      { kind: 'sim', seed: 5 },
      { SIM_PM_FADES: 'blocks', POLYGON_BASE_URL: '', THETA_V3_URL: '', THETA_V1_URL: '' },
    );
    expect(ensureMarket(store.db, dirs.db, sim5, '2024-03-04', '2024-03-04').action).toBe(
      'created',
    );
    store.putDailyRaw(
      '2024-03-04',
      [
        {
          symbol: 'ZZZZ',
          open: 1,
          high: 1,
          low: 1,
          close: 1,
          volume: 1000,
          vwap: null,
          transactions: null,
          otc: false,
        },
      ],
      'polygon-emulated:sim:5',
    );
    store.commitDay({
      completeness: completeness('2024-03-04'),
      hits: [],
      missAudit: [],
      audit: null,
    });
    store.close();

    const sw = gapctl(
      env,
      'scan-day',
      '--market',
      'sim:6',
      '--date',
      '2024-03-05',
      '--switch-market',
    );
    expect(sw.code).toBe(0);
    expect(sw.out).toMatch(/market switched from sim:5 to sim:6 from 2024-03-05 on/);
    const status = gapctl(env, 'status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^store market {2}sim:5 {2}days before 2024-03-05 \(recorded /m);
    expect(status.out).toMatch(/^ {14}sim:6 {2}days from 2024-03-05 on \(switch recorded /m);
    const { statusReport } = await import('../../source/commands/status.js');
    const report = statusReport({ stateDir: dirs.stateDir, dbPath: dirs.db });
    expect(report.store!.markets.map((m) => [m.market, m.fromDate, m.note])).toEqual([
      ['sim:5', null, 'created'],
      ['sim:6', '2024-03-05', 'switch'],
    ]);

    unchanged(root, dirs.db, () => {
      // a day before the switch under the new market, even with the flag; a day after it under the old one
      expectRefusal(
        gapctl(env, 'scan-day', '--market', 'sim:6', '--date', '2024-03-04', '--switch-market'),
        /holds market sim:5 for days before 2024-03-05; refusing sim:6/,
      );
      expectRefusal(
        gapctl(
          env,
          'scan-range',
          '--market',
          'sim:5',
          '--start',
          '2024-03-04',
          '--end',
          '2024-03-05',
        ),
        /holds market sim:6 for days from 2024-03-05 on; refusing sim:5/,
      );
    });

    // The switched day's previous close and R4 window came from sim:6 (not from the sim:5 bar the
    // store holds for the day before): its hits are those of a store of sim:6 alone.
    const { testSession } = await import('../helpers/session.js');
    const { scanDay } = await import('../../source/engine/day.js');
    const t = await testSession({ market: 'sim:6', env: SMALL_SIM });
    try {
      const r = await scanDay(t.session.ctx, '2024-03-05', {});
      expect(sw.out).toContain(
        `2024-03-05 COMPLETE     hits ${r.discoveries} (R1 ${r.hits.r1} R2 ${r.hits.r2} R3 ${r.hits.r3} R4 ${r.hits.r4})`,
      );
    } finally {
      await t.session.close();
    }
    const rows = new Database(dirs.db, { readonly: true });
    try {
      expect(
        rows.prepare("SELECT provider FROM daily_raw_days WHERE date = '2024-03-04'").get(),
      ).toEqual({ provider: 'polygon-emulated:sim:5' });
    } finally {
      rows.close();
    }
  });

  it('a market identity: replay by dataset name and manifest hash (not its folder), sim by seed and SIM_PM_FADES, live by base URLs without secrets', async () => {
    const { marketIdentity } = await import('../../source/runtime/market-identity.js');
    const cfg = {
      SIM_PM_FADES: 'blocks',
      POLYGON_BASE_URL: 'https://u.example.invalid:p@api.example.invalid/?apiKey=SECRET',
      THETA_V3_URL: 'http://127.0.0.1:25503',
      THETA_V1_URL: 'http://127.0.0.1:25510',
    };
    const root = tempDir();
    const bundled = marketIdentity(
      { kind: 'replay', path: join(REPO_ROOT, 'db/market/2018q1') },
      cfg,
    );
    expect(bundled.key).toMatch(/^replay:2018q1@[0-9a-f]{12}$/);
    const moved = join(root, 'moved');
    mkdirSync(moved);
    copyFileSync(join(REPO_ROOT, 'db/market/2018q1/manifest.json'), join(moved, 'manifest.json'));
    expect(marketIdentity({ kind: 'replay', path: moved }, cfg).key).toBe(bundled.key);
    const other = join(root, 'other');
    mkdirSync(other);
    const manifest = JSON.parse(
      readFileSync(join(REPO_ROOT, 'db/market/2018q1/manifest.json'), 'utf8'),
    );
    writeFileSync(
      join(other, 'manifest.json'),
      JSON.stringify({ ...manifest, description: `${manifest.description} (rebuilt)` }),
    );
    const rebuilt = marketIdentity({ kind: 'replay', path: other }, cfg);
    expect(rebuilt.key).toMatch(/^replay:2018q1@[0-9a-f]{12}$/);
    expect(rebuilt.key).not.toBe(bundled.key);
    expect(() => marketIdentity({ kind: 'replay', path: root }, cfg)).toThrow(/no manifest\.json/);
    expect(marketIdentity({ kind: 'sim', seed: 5 }, cfg).key).toBe('sim:5');
    expect(marketIdentity({ kind: 'sim', seed: 5 }, { ...cfg, SIM_PM_FADES: 'none' }).key).toBe(
      'sim:5/pm_fades=none',
    );
    const live = marketIdentity({ kind: 'live' }, cfg);
    expect(live.key).toBe(
      'live(polygon https://api.example.invalid, theta v3 http://127.0.0.1:25503, v1 http://127.0.0.1:25510)',
    );
    expect(JSON.stringify(live)).not.toMatch(/SECRET|u\.example\.invalid:p/);
    expect(
      marketIdentity({ kind: 'live' }, { ...cfg, THETA_V3_URL: 'http://127.0.0.1:25599' }).key,
    ).not.toBe(live.key);

    // a replay store refuses the rebuilt dataset and sim, naming both
    const path = join(root, 'r.db');
    const db = openDb(path);
    try {
      expect(ensureMarket(db, path, bundled, '2018-01-04', '2018-01-04').action).toBe('created');
      for (const id of [rebuilt, marketIdentity({ kind: 'sim', seed: 5 }, cfg), live]) {
        expect(() => ensureMarket(db, path, id, '2018-01-04', '2018-01-04')).toThrow(
          `store ${path} holds market ${bundled.key}; refusing ${id.key} (`,
        );
      }
      expect(marketHistory(db)).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  it('a store of an older gapctl (no market recorded) adopts the first market that writes it, says so once, then refuses others', () => {
    const dir = tempDir();
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old
      .prepare("INSERT INTO day_completeness (date, status) VALUES ('2024-03-04', 'COMPLETE')")
      .run();
    old.close();
    const db = openDb(path);
    try {
      expect(marketHistory(db)).toEqual([]);
      const sim5 = { kind: 'sim' as const, key: 'sim:5', detail: { seed: 5 } };
      const adopted = ensureMarket(db, path, sim5, '2024-03-05', '2024-03-05');
      expect(adopted.action).toBe('adopted');
      expect(adopted.message).toMatch(
        /had no market recorded .*days up to 2024-03-04.*now holds market sim:5/,
      );
      expect(ensureMarket(db, path, sim5, '2024-03-04', '2024-03-05')).toEqual({
        action: 'same',
        message: null,
      });
      expect(() =>
        ensureMarket(
          db,
          path,
          { kind: 'sim', key: 'sim:6', detail: { seed: 6 } },
          '2024-03-04',
          '2024-03-04',
        ),
      ).toThrow(MarketMismatchError);
      expect(marketHistory(db).map((m) => [m.market, m.note])).toEqual([['sim:5', 'adopted']]);
    } finally {
      db.close();
    }
  });
});

describe('the backfill state names its store', () => {
  it('status --db OTHER.db does not show the state file of another store; backfill does not resume it', async () => {
    const root = tempDir();
    const { env, dirs } = runEnv(root);
    // a DONE backfill of the store db/scanner.db, as runBackfill records it (the engine test below checks it does)
    const store = Store.open(dirs.db);
    const ref = storeRefOf(store.db, store.path);
    store.close();
    writeBackfillState(dirs.stateDir, {
      range: { start: '2024-03-04', end: '2024-03-04' },
      status: 'DONE',
      last_completed_month: '2024-03',
      last_completed_day: '2024-03-04',
      halt_reason: null,
      halted_day: null,
      market: 'sim:5',
      market_spec: 'sim:5',
      r1_mode: 'prefilter',
      store: ref,
    });
    const { statusReport } = await import('../../source/commands/status.js');
    expect(statusReport({ stateDir: dirs.stateDir, dbPath: dirs.db })).toMatchObject({
      state_store: 'same',
      backfill: { status: 'DONE' },
    });

    const other = join(root, 'other.db');
    const st = gapctl({ ...env, GAPCTL_DB: other }, 'status');
    expect(st.code).toBe(0);
    expect(st.out).toMatch(
      /^no backfill of this store: .*current_state\.json is the backfill of store .*scanner\.db/,
    );
    expect(st.out).not.toMatch(/^backfill /m);
    expect(st.out).not.toContain('2024-03-04 .. 2024-03-04');
    // once the other store exists (with its own id), the same
    Store.open(other).close();
    const js = statusReport({ stateDir: dirs.stateDir, dbPath: other });
    expect(js).toMatchObject({
      backfill: null,
      days: null,
      state_store: 'other',
      other_state_store: ref,
    });

    // backfill of the other store without a range: refused in one line, nothing changed
    const before = filesOf(root);
    const resume = gapctl({ ...env, GAPCTL_DB: other }, 'backfill');
    expect(resume.code).toBe(2);
    expect(resume.err.trimEnd().split('\n')).toHaveLength(1);
    expect(resume.err).toMatch(
      /current_state\.json is the backfill of store .*scanner\.db .*, not of .*other\.db .*: give --start\/--end/,
    );
    expect(filesOf(root)).toEqual(before);
  });

  it('a backfill with --start does not take the resume pointer of another store (phase 0 runs, its days are its own)', async () => {
    const { testSession } = await import('../helpers/session.js');
    const { runBackfill } = await import('../../source/engine/backfill.js');
    const t = await testSession({ market: 'sim:5', env: TINY_SIM });
    try {
      // a DONE backfill of the same range, of another store: resuming it would skip phase 0
      writeBackfillState(t.session.ctx.stateDir, {
        range: { start: '2024-03-04', end: '2024-03-04' },
        status: 'DONE',
        last_completed_month: '2024-03',
        last_completed_day: '2024-03-04',
        halt_reason: null,
        halted_day: null,
        market: 'sim:5',
        r1_mode: 'prefilter',
        store: { path: join(t.dir, 'another.db'), id: 'feedfacefeedfacefeedfacefeedface' },
      });
      let phase0 = 0;
      const out = await runBackfill(t.session.ctx, {
        start: '2024-03-04',
        end: '2024-03-04',
        phase0: async () => {
          phase0++;
          return {
            date: '2024-03-04',
            passed: false,
            baselineOnly: 0,
            message: 'probe: phase 0 ran',
          };
        },
      });
      expect(phase0).toBe(1);
      expect(out.state).toBe('HALTED');
      const state = JSON.parse(
        readFileSync(join(t.session.ctx.stateDir, 'current_state.json'), 'utf8'),
      );
      expect(state.store.path).toBe(join(t.dir, 'scanner.db'));
      expect(state.last_completed_day).toBeNull();
    } finally {
      await t.session.close();
    }
    expect(existsSync(join(t.dir, 'another.db'))).toBe(false);
  });
});
