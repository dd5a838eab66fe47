/**
 * `gapctl health` checks (runtime/health.ts) against a live-market configuration whose services are
 * loopback fixture servers: all healthy gives exit 0; then each dependency broken in turn (Theta
 * down, wrong key, store locked by another connection, full disk through the injected statfs
 * probe, corrupt store, baseline-only hits, SLA breach, stale lock, old backup) gives the right
 * level, exit code and one-line reason. One run through dist/cli.js checks the printed form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig, type ConfigName } from '../../source/config/index.js';
import {
  runHealth,
  lastDueTradingDay,
  healthLines,
  type HealthReport,
  type StatfsProbe,
} from '../../source/runtime/health.js';
import { Store } from '../../source/store/store.js';
import { backupStore } from '../../source/store/maintenance.js';
import { closedPortUrl, startServer, type TestServer } from '../providers/servers.js';
import { completeness } from '../export/fixtures.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';

const KEY = 'good-key-123';
let polygon: TestServer;
let v3: TestServer;
let v1: TestServer;
let v3Status = 'CONNECTED';

beforeAll(async () => {
  polygon = await startServer((req, res) => {
    const ok = req.headers.authorization === `Bearer ${KEY}`;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(
      ok
        ? JSON.stringify({ status: 'OK', results: [] })
        : JSON.stringify({ status: 'ERROR', error: 'Unknown API Key' }),
    );
  });
  v3 = await startServer((_req, res, url) => {
    res.writeHead(url.pathname === '/v3/terminal/mdds/status' ? 200 : 404);
    res.end(v3Status);
  });
  v1 = await startServer((_req, res, url) => {
    res.writeHead(url.pathname === '/v2/system/mdds/status' ? 200 : 404);
    res.end('CONNECTED');
  });
});
afterAll(async () => {
  await Promise.all([polygon.close(), v3.close(), v1.close()]);
});

const ROOMY: StatfsProbe = async () => ({ bavail: 50 * 262144, bsize: 4096, blocks: 100 * 262144 }); // 50 GB free

/** A dir with a store of three COMPLETE days (the last one yesterday-ish) and a fresh backup. */
async function install(): Promise<{
  dir: string;
  db: string;
  env: Partial<Record<ConfigName, string>>;
}> {
  const dir = tempDir();
  const db = join(dir, 'db', 'scanner.db');
  const s = Store.open(db);
  for (const d of ['2026-11-24', '2026-11-25', '2026-11-27'])
    s.commitDay({
      completeness: completeness(d),
      hits: [],
      missAudit: [],
      audit: { sampleSize: 50, misses: 0, missRateUpper95: 0.06, auditPassed: true },
    });
  s.close();
  const env: Partial<Record<ConfigName, string>> = {
    POLYGON_API_KEY: KEY,
    POLYGON_BASE_URL: polygon.url,
    THETA_V3_URL: v3.url,
    THETA_V1_URL: v1.url,
    GAPCTL_STATE_DIR: join(dir, 'project_state'),
    GAPCTL_EXPORT_DIR: join(dir, 'exports'),
    GAPCTL_LOG_DIR: join(dir, 'logs'),
    BACKUP_DIR: join(dir, 'backups'),
    HEALTH_TIMEOUT_SEC: '3',
  };
  await backupStore(db, {
    toDir: join(dir, 'backups'),
    keep: 7,
    maxAgeDays: 0,
    now: () => new Date(NOW),
  });
  return { dir, db, env };
}

/** Monday 2026-11-30 10:00 ET: the last trading day due is Friday 2026-11-27 (early close). */
const NOW = Date.parse('2026-11-30T15:00:00Z');

async function health(
  db: string,
  env: Partial<Record<ConfigName, string>>,
  statfs: StatfsProbe = ROOMY,
): Promise<HealthReport> {
  return runHealth({
    cfg: loadConfig({}, env),
    market: { kind: 'live' },
    dbPath: db,
    statfs,
    now: () => NOW,
  });
}

function check(r: HealthReport, name: string) {
  const c = r.checks.find((x) => x.name === name);
  expect(c, name).toBeDefined();
  expect(c!.message).not.toContain('\n');
  return c!;
}

function corrupt(path: string): void {
  const size = readFileSync(path).length;
  const fd = openSync(path, 'r+');
  const junk = Buffer.alloc(Math.max(0, size - 8192), 0xa5);
  writeSync(fd, junk, 0, junk.length, 8192);
  closeSync(fd);
}

describe('gapctl health', () => {
  it('everything reachable and sound: every check ok, exit 0, well under 5 s', async () => {
    const { db, env } = await install();
    const r = await health(db, env);
    expect(r.checks.filter((c) => c.level !== 'ok')).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.ms).toBeLessThan(5000);
    expect(check(r, 'polygon').message).toMatch(/key accepted/);
    expect(check(r, 'theta-v3').message).toMatch(/CONNECTED/);
    expect(check(r, 'last-day').message).toMatch(/last COMPLETE day 2026-11-27, 0 trading day/);
    expect(check(r, 'keys').message).not.toContain(KEY);
    expect(r.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'config',
        'keys',
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
      ]),
    );
  });

  it('Theta v3 down: critical "unreachable", exit 2; MDDS disconnected: critical; v1 down: only warn', async () => {
    const { db, env } = await install();
    const down = await closedPortUrl();
    const r = await health(db, { ...env, THETA_V3_URL: down });
    expect(check(r, 'theta-v3')).toMatchObject({ level: 'critical' });
    expect(check(r, 'theta-v3').message).toMatch(/unreachable: ECONNREFUSED/);
    expect(r.exitCode).toBe(2);
    v3Status = 'DISCONNECTED';
    try {
      const d = await health(db, env);
      expect(check(d, 'theta-v3')).toMatchObject({
        level: 'critical',
        message: expect.stringMatching(/MDDS is DISCONNECTED/),
      });
    } finally {
      v3Status = 'CONNECTED';
    }
    const w = await health(db, { ...env, THETA_V1_URL: down });
    expect(check(w, 'theta-v1').level).toBe('warn');
    expect(w.exitCode).toBe(1);
  });

  it('wrong Polygon key: critical "wrong key", exit 2, the key never shown; no key: critical', async () => {
    const { db, env } = await install();
    const r = await health(db, { ...env, POLYGON_API_KEY: 'bad-secret-key' });
    expect(check(r, 'polygon')).toMatchObject({
      level: 'critical',
      message: expect.stringMatching(/HTTP 401: wrong key/),
    });
    expect(r.exitCode).toBe(2);
    expect(JSON.stringify(r)).not.toContain('bad-secret-key');
    const none = await health(db, { ...env, POLYGON_API_KEY: '' });
    expect(check(none, 'keys').level).toBe('critical');
    expect(none.exitCode).toBe(2);
  });

  it('store locked by another connection: critical "locked" within the probe timeout, exit 2', async () => {
    const { db, env } = await install();
    const holder = new Database(db);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const r = await health(db, { ...env, HEALTH_TIMEOUT_SEC: '0.3' });
      expect(check(r, 'database')).toMatchObject({
        level: 'critical',
        message: expect.stringMatching(/is locked/),
      });
      expect(r.exitCode).toBe(2);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('full disk (injected statfs): critical under HEALTH_DISK_CRIT_MB, warn under HEALTH_DISK_WARN_MB', async () => {
    const { db, env } = await install();
    const mb =
      (n: number): StatfsProbe =>
      async () => ({ bavail: n * 256, bsize: 4096, blocks: 1e6 });
    const full = await health(db, env, mb(50));
    expect(check(full, 'disk-store')).toMatchObject({
      level: 'critical',
      message: expect.stringMatching(/^50 MB free at .*writes will fail/),
    });
    expect(full.exitCode).toBe(2);
    const low = await health(db, env, mb(700));
    expect(check(low, 'disk-store').level).toBe('warn');
    expect(low.exitCode).toBe(1);
  });

  it('corrupt store: critical, exit 2', async () => {
    const { dir, db, env } = await install();
    const s = Store.open(db);
    for (let i = 1; i <= 20; i++)
      s.commitDay({
        completeness: completeness(`2026-10-${String(i).padStart(2, '0')}`),
        hits: [],
        missAudit: [],
        audit: null,
      });
    s.close();
    corrupt(db);
    const r = await health(db, env);
    expect(check(r, 'database').level).toBe('critical');
    expect(check(r, 'database').message).toMatch(/quick_check|corrupt|malformed/);
    expect(r.exitCode).toBe(2);
    writeFileSync(
      join(dir, 'text.db'),
      'not a database at all, just some text that is long enough to have a header',
    );
    const t = await health(join(dir, 'text.db'), env);
    expect(check(t, 'database').level).toBe('critical');
  });

  it('baseline-only hits and failed audits: critical; SLA breach: warn; stale lock and old backup: warn', async () => {
    const { db, env } = await install();
    const w = new Database(db);
    w.prepare(
      "UPDATE qc_daily_summary SET baseline_only_count = 2 WHERE date = '2026-11-25'",
    ).run();
    w.prepare("UPDATE qc_daily_summary SET audit_passed = 0 WHERE date = '2026-11-24'").run();
    w.prepare(
      "UPDATE qc_daily_summary SET processing_time_seconds = 1200, api_error_rate = 0.08 WHERE date = '2026-11-27'",
    ).run();
    w.close();
    const r = await health(db, env);
    expect(check(r, 'baseline-only')).toMatchObject({
      level: 'critical',
      message: expect.stringMatching(/^2 baseline-only hit\(s\) on 2026-11-25/),
    });
    expect(check(r, 'audits')).toMatchObject({
      level: 'critical',
      message: expect.stringContaining('2026-11-24'),
    });
    expect(check(r, 'sla')).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(
        /1 day\(s\) over 900 s processing \(2026-11-27 1200 s\); 1 day\(s\) over 5\.0% API errors/,
      ),
    });
    expect(r.exitCode).toBe(2);

    const fresh = await install();
    mkdirSync(join(fresh.dir, 'db'), { recursive: true });
    writeFileSync(
      `${fresh.db}.lock`,
      JSON.stringify({
        pid: 2 ** 22 + 17,
        host: hostname(),
        command: 'backfill',
        started_at: '2026-11-29T00:00:00Z',
      }),
    );
    const stale = await runHealth({
      cfg: loadConfig({}, fresh.env),
      market: { kind: 'live' },
      dbPath: fresh.db,
      statfs: ROOMY,
      now: () => NOW + 72 * 3_600_000,
    });
    expect(check(stale, 'lock')).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/^stale lock/),
    });
    expect(check(stale, 'backup')).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/72\.0 h old \(over 48 h\)/),
    });
    expect(stale.exitCode).toBe(1);
  });

  it('flat files when configured: signed list accepted = ok, 403 = warn; the embedded market probes its own', async () => {
    const { db, env } = await install();
    const s3 = await startServer((req, res, url) => {
      const signed = /^AWS4-HMAC-SHA256 Credential=AK\//.test(
        String(req.headers.authorization ?? ''),
      );
      const ok =
        signed && url.pathname === '/flatfiles' && url.searchParams.get('list-type') === '2';
      res.writeHead(ok ? 200 : 403, { 'content-type': 'application/xml' });
      res.end(
        ok ? '<ListBucketResult></ListBucketResult>' : '<Error><Code>AccessDenied</Code></Error>',
      );
    });
    try {
      const none = await health(db, env);
      expect(check(none, 'flatfiles')).toMatchObject({
        level: 'ok',
        message: expect.stringMatching(/^not configured/),
      });
      const good = await health(db, {
        ...env,
        FLATFILES_ENDPOINT: s3.url,
        FLATFILES_ACCESS_KEY: 'AK',
        FLATFILES_SECRET_KEY: 'SK-secret',
      });
      expect(check(good, 'flatfiles')).toMatchObject({
        level: 'ok',
        message: expect.stringMatching(/credentials accepted/),
      });
      const bad = await health(db, {
        ...env,
        FLATFILES_ENDPOINT: s3.url,
        FLATFILES_ACCESS_KEY: 'WRONG',
        FLATFILES_SECRET_KEY: 'SK-secret',
      });
      expect(check(bad, 'flatfiles')).toMatchObject({
        level: 'warn',
        message: expect.stringMatching(/HTTP 403: wrong FLATFILES keys/),
      });
      expect(JSON.stringify(bad)).not.toContain('SK-secret');
    } finally {
      await s3.close();
    }
    const emb = await runHealth({
      cfg: loadConfig({}, env),
      market: { kind: 'sim', seed: 3 },
      dbPath: db,
      statfs: ROOMY,
      now: () => NOW,
    });
    for (const n of ['polygon', 'theta-v3', 'theta-v1', 'flatfiles', 'keys'])
      expect(check(emb, n).level, n).toBe('ok');
  });

  it('the last trading day due follows the calendar (evening due time, weekends, holidays)', () => {
    expect(lastDueTradingDay(Date.parse('2026-11-30T15:00:00Z'))).toBe('2026-11-27'); // Monday morning
    expect(lastDueTradingDay(Date.parse('2026-12-01T02:00:00Z'))).toBe('2026-11-30'); // Monday 21:00 ET
    expect(lastDueTradingDay(Date.parse('2026-11-27T12:00:00Z'))).toBe('2026-11-25'); // Friday morning after Thanksgiving
    // Follow mode waiting for flat files: due 11:00 ET the next calendar day.
    const flat = { FOLLOW_WAIT_FOR: 'flatfiles', FOLLOW_FLATFILE_DUE_ET: '11:00:00' } as never;
    expect(lastDueTradingDay(Date.parse('2026-12-01T15:30:00Z'), flat)).toBe('2026-11-27'); // Tuesday 10:30 ET: Monday's file not yet
    expect(lastDueTradingDay(Date.parse('2026-12-01T17:00:00Z'), flat)).toBe('2026-11-30'); // Tuesday 12:00 ET: Monday's file due
  });

  it('through dist/cli.js: summary line then one line per check; --json; exit 2 with Theta down', async () => {
    const { db, env } = await install();
    // Asynchronous: the fixture servers live in this process and must keep answering.
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string }>((done) => {
        const c = spawn(
          process.execPath,
          [join(REPO_ROOT, 'dist/cli.js'), 'health', '--market', 'live', '--db', db, ...args],
          {
            cwd: REPO_ROOT,
            env: {
              ...process.env,
              ...env,
              HEALTH_TIMEOUT_SEC: '5',
              THETA_V3_URL: 'http://127.0.0.1:1',
              CI: 'true',
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let stdout = '';
        c.stdout.on('data', (b) => (stdout += String(b)));
        c.on('close', (status) => done({ status, stdout }));
      });
    const r = await run([]);
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^GAPCTL CRITICAL - theta-v3: Theta Terminal v3 http:\/\/127\.0\.0\.1:1 unreachable/,
    );
    expect(lines.find((l) => l.startsWith('critical theta-v3'))).toBeDefined();
    expect(r.stdout).not.toContain(KEY);
    const j = await run(['--json']);
    expect(j.status).toBe(2);
    const o = JSON.parse(j.stdout) as HealthReport;
    expect(o).toMatchObject({ level: 'critical', exitCode: 2 });
    expect(healthLines(o)[0]).toBe(lines[0]);
  });
});
