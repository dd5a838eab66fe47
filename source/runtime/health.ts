/**
 * `gapctl health`: the checks of a production install, each one line `ok` / `warn` / `critical`,
 * read-only and fast. The HTTP probes (Polygon, Theta v3 and v1) run in parallel, each with its own
 * timeout (HEALTH_TIMEOUT_SEC); the store is opened read-only with the same busy timeout; nothing is
 * written anywhere. With an embedded market (replay, sim) the emulator is started as the other
 * commands do and probed over HTTP like the real services.
 *
 * Over 400 lines: the production checks run in one pass with one report type and one exit-code
 * rule; each check is short, and together they are the health command a monitoring system calls.
 */
import { existsSync, statfs as statfsCb } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import aws4 from 'aws4';
import { type Config } from '../config/index.js';
import {
  prevTradingDay,
  todayEt,
  tradingDaysBetween,
  lastNTradingDays,
} from '../calendar/index.js';
import { probeStore, SCHEMA_VERSION, type Db } from '../store/db.js';
import { baselineOnlyDays, lastQcDay, lastScannedDay, qcSlaRows } from '../store/days.js';
import { lockPath, readLock } from '../store/lock.js';
import { fileBytes, listBackups } from '../store/maintenance.js';
import { readBackfillState } from '../store/state-files.js';
import { startEmulator, type RunningEmulator } from '../market/emulator/index.js';
import {
  embeddedEmulatorOptions,
  openEmbeddedMarket,
  parseMarket,
  type MarketSpec,
} from './session.js';
import { errorLine } from '../util/errors.js';
import { latestDueDay } from '../engine/clock.js';
import { redact } from '../util/redact.js';

import type { HealthCheck, HealthLevel, HealthReport } from '../contracts/events.js';

/** The report types live with the contracts (events.ts) (the console's overlay renders them); re-exported here. */
export type { HealthCheck, HealthLevel, HealthReport } from '../contracts/events.js';

/** Free and total bytes of the file system holding a path (`fs.statfs`). */
export type StatfsProbe = (
  path: string,
) => Promise<{ bavail: number; bsize: number; blocks: number }>;

/** Options of {@link runHealth}. */
export interface HealthOptions {
  cfg: Config;
  market: MarketSpec;
  /** The store (absolute). */
  dbPath: string;
  /** Disk probe (tests inject a full disk); default `fs.statfs`. */
  statfs?: StatfsProbe;
  /** The clock, UTC epoch ms (tests); default Date.now. */
  now?: () => number;
  /**
   * Services already running to probe instead of starting an embedded market (the console's engine
   * worker passes its session's emulator): base URLs, the Polygon key, the flat files endpoint and
   * credentials (null when none), and how the keys check describes them. Ignored on a live market.
   */
  services?: HealthServices;
  /**
   * The pid of the process this check runs in when it is itself the store's writer (the console's
   * backfill): a lock held by this pid is reported as this console's own (ok), never as another
   * writer. Default: none (the CLI is never the writer).
   */
  selfPid?: number;
}

/** Running services to probe (see {@link HealthOptions.services}). */
export interface HealthServices {
  polygon: string;
  v3: string;
  v1: string;
  /** The Polygon key the services expect (redacted everywhere). */
  key: string;
  flatFiles: { url: string; accessKey: string; secretKey: string } | null;
  /** What serves them, e.g. `embedded replay market (2018q1), the console's own`. */
  label: string;
}

/** WAL size that warns, bytes (a WAL this big means checkpoints are starved by a long reader). */
export const WAL_WARN_BYTES = 512 * 1048576;

/** ET wall time after which a trading day's data is due when follow mode's FOLLOW_DUE_ET is absent (grouped daily and Theta, evening). */
export const DATA_DUE_ET = '18:30:00';

const RANK: Record<HealthLevel, number> = { ok: 0, warn: 1, critical: 2 };

/** The worst of some levels (ok for none). */
export function worst(levels: readonly HealthLevel[]): HealthLevel {
  return levels.reduce<HealthLevel>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');
}

interface HttpAnswer {
  status: number;
  body: string;
  ms: number;
}

/** One GET with its own timeout; resolves to the answer or rejects with a one-line reason. */
async function probeGet(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const t0 = Date.now();
  try {
    const r = await request(url, {
      method: 'GET',
      headers,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const body = (await r.body.text()).slice(0, 300);
    return { status: r.statusCode, body, ms: Date.now() - t0 };
  } catch (e) {
    const err = e as { name?: string; code?: string };
    if (err.name === 'TimeoutError' || err.name === 'AbortError' || /Timeout/.test(err.code ?? ''))
      throw new Error(`no answer within ${timeoutMs} ms`, { cause: e });
    throw new Error(err.code ? `${err.code} (${errorLine(e)})` : errorLine(e), { cause: e });
  }
}

function firstLine(s: string): string {
  return redact((s.split('\n')[0] ?? '').trim()).slice(0, 120);
}

/** Polygon reachable and the key accepted: `/v3/reference/tickers/types` (a few hundred bytes). */
async function polygonCheck(
  base: string,
  key: string,
  timeoutMs: number,
  where: string,
): Promise<HealthCheck> {
  const name = 'polygon';
  if (!key)
    return {
      name,
      level: 'critical',
      message: 'POLYGON_API_KEY is not set: nothing can be scanned',
    };
  try {
    const a = await probeGet(`${base}/v3/reference/tickers/types`, timeoutMs, {
      Authorization: `Bearer ${key}`,
    });
    if (a.status === 200)
      return { name, level: 'ok', message: `${where} reachable, key accepted (${a.ms} ms)` };
    if (a.status === 401 || a.status === 403)
      return {
        name,
        level: 'critical',
        message: `${where} answers HTTP ${a.status}: wrong key or plan not entitled (${firstLine(a.body)})`,
      };
    if (a.status === 429)
      return { name, level: 'warn', message: `${where} reachable, rate limited now (HTTP 429)` };
    return {
      name,
      level: 'critical',
      message: `${where} answers HTTP ${a.status} (${firstLine(a.body)})`,
    };
  } catch (e) {
    return { name, level: 'critical', message: `${where} unreachable: ${errorLine(e)}` };
  }
}

/** A Theta terminal: reachable and its MDDS status (`CONNECTED`). The v1 terminal is a fallback: at worst warn. */
async function thetaCheck(
  term: 'v3' | 'v1',
  base: string,
  timeoutMs: number,
): Promise<HealthCheck> {
  const name = `theta-${term}`;
  const path = term === 'v3' ? '/v3/terminal/mdds/status' : '/v2/system/mdds/status';
  const down: HealthLevel = term === 'v3' ? 'critical' : 'warn';
  const what = term === 'v3' ? 'Theta Terminal v3' : 'legacy Theta terminal (v1, fallback)';
  try {
    const a = await probeGet(`${base}${path}`, timeoutMs);
    const body = firstLine(a.body);
    if (a.status === 200 && /^CONNECTED/i.test(body))
      return { name, level: 'ok', message: `${what} ${base}: ${body} (${a.ms} ms)` };
    if (a.status === 200)
      return {
        name,
        level: down,
        message: `${what} ${base} reachable but MDDS is ${body || 'not CONNECTED'}: R1 lookups will fail`,
      };
    if (term === 'v1' && a.status === 410)
      return {
        name,
        level: 'warn',
        message: `${what} ${base}: HTTP 410 (v2 API gone; the v3 terminal must carry R1)`,
      };
    return { name, level: down, message: `${what} ${base}: HTTP ${a.status} (${body})` };
  } catch (e) {
    return { name, level: down, message: `${what} ${base} unreachable: ${errorLine(e)}` };
  }
}

/**
 * Flat Files (S3, path-style, bucket `flatfiles`): a signed ListObjectsV2 of one key under this
 * month's minute aggregates. Checked only when configured (FLATFILES_ACCESS_KEY, or the embedded
 * market's own endpoint); critical only when follow mode waits for flat files, else warn.
 */
async function flatFilesCheck(
  endpoint: string,
  accessKey: string,
  secretKey: string,
  timeoutMs: number,
  essential: boolean,
  nowMs: number,
): Promise<HealthCheck> {
  const name = 'flatfiles';
  const bad: HealthLevel = essential ? 'critical' : 'warn';
  let base: URL;
  try {
    base = new URL(endpoint);
  } catch {
    return {
      name,
      level: bad,
      message: `FLATFILES_ENDPOINT ${JSON.stringify(endpoint)} is not a URL`,
    };
  }
  const month = todayEt(nowMs).slice(0, 7).replace('-', '/');
  const path = `${base.pathname.replace(/\/+$/, '')}/flatfiles?list-type=2&max-keys=1&prefix=${encodeURIComponent(`us_stocks_sip/minute_aggs_v1/${month}/`)}`;
  const signed = aws4.sign(
    { host: base.host, path, method: 'GET', service: 's3', region: 'us-east-1', headers: {} },
    { accessKeyId: accessKey, secretAccessKey: secretKey },
  );
  try {
    const a = await probeGet(
      `${base.protocol}//${base.host}${path}`,
      timeoutMs,
      signed.headers as Record<string, string>,
    );
    if (a.status === 200)
      return {
        name,
        level: 'ok',
        message: `${base.host} reachable, credentials accepted (${a.ms} ms)`,
      };
    if (a.status === 403)
      return {
        name,
        level: bad,
        message: `${base.host} answers HTTP 403: wrong FLATFILES keys or a plan without flat files`,
      };
    return { name, level: bad, message: `${base.host} answers HTTP ${a.status}` };
  } catch (e) {
    return { name, level: bad, message: `${base.host} unreachable: ${errorLine(e)}` };
  }
}

/** The nearest existing folder of `p` (itself or a parent), for statfs. */
function existingDir(p: string): string {
  let d = resolve(p);
  while (!existsSync(d)) {
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}

const defaultStatfs: StatfsProbe = async (p) => {
  const s = await promisify(statfsCb)(p);
  return { bavail: Number(s.bavail), bsize: Number(s.bsize), blocks: Number(s.blocks) };
};

async function diskCheck(
  label: string,
  folder: string,
  cfg: Config,
  statfs: StatfsProbe,
  timeoutMs: number,
): Promise<HealthCheck> {
  const name = `disk-${label}`;
  const at = existingDir(folder);
  try {
    const s = await Promise.race([
      statfs(at),
      new Promise<never>((_, rej) =>
        setTimeout(
          () => rej(new Error(`statfs gave no answer within ${timeoutMs} ms`)),
          timeoutMs,
        ).unref(),
      ),
    ]);
    const freeMb = (s.bavail * s.bsize) / 1048576;
    const shown = freeMb >= 10240 ? `${(freeMb / 1024).toFixed(1)} GB` : `${freeMb.toFixed(0)} MB`;
    if (freeMb < cfg.HEALTH_DISK_CRIT_MB)
      return {
        name,
        level: 'critical',
        message: `${shown} free at ${at} (critical under ${cfg.HEALTH_DISK_CRIT_MB} MB): writes will fail`,
      };
    if (freeMb < cfg.HEALTH_DISK_WARN_MB)
      return {
        name,
        level: 'warn',
        message: `${shown} free at ${at} (warn under ${cfg.HEALTH_DISK_WARN_MB} MB)`,
      };
    return { name, level: 'ok', message: `${shown} free at ${at}` };
  } catch (e) {
    return { name, level: 'warn', message: `free space at ${at} unknown: ${errorLine(e)}` };
  }
}

/** The store's checks: quick_check + schema + WAL, then the data checks that read it. */
function storeChecks(o: HealthOptions, timeoutMs: number, nowMs: number): HealthCheck[] {
  const { cfg, dbPath } = o;
  const out: HealthCheck[] = [];
  if (!existsSync(dbPath)) {
    out.push({
      name: 'database',
      level: 'warn',
      message: `${dbPath} does not exist yet (no scan has run here)`,
    });
    return out;
  }
  const probe = probeStore(dbPath, timeoutMs);
  if (probe.kind === 'unopenable') {
    out.push({
      name: 'database',
      level: 'critical',
      message: `${dbPath} cannot be opened: ${errorLine(probe.error)}`,
    });
    return out;
  }
  if (probe.kind === 'unreadable') {
    const msg = errorLine(probe.error);
    const locked = /locked|busy/i.test(msg);
    out.push({
      name: 'database',
      level: 'critical',
      message: locked
        ? `${dbPath} is locked (no read within ${timeoutMs} ms): ${msg}`
        : `${dbPath} is corrupt or not a store: ${msg}`,
    });
    return out;
  }
  const { db, version, check } = probe;
  try {
    if (check !== 'ok') {
      out.push({
        name: 'database',
        level: 'critical',
        message: `${dbPath} failed quick_check: ${check} (gapctl db check; restore a backup)`,
      });
      return out;
    }
    const wal = fileBytes(`${dbPath}-wal`);
    const walMb = (wal / 1048576).toFixed(1);
    if (version > SCHEMA_VERSION)
      out.push({
        name: 'database',
        level: 'critical',
        message: `${dbPath} has schema version ${version}, newer than this gapctl (${SCHEMA_VERSION})`,
      });
    else if (version === 0)
      out.push({
        name: 'database',
        level: 'warn',
        message: `${dbPath} is empty (schema 0): no scan has run`,
      });
    else if (wal > WAL_WARN_BYTES)
      out.push({
        name: 'database',
        level: 'warn',
        message: `quick_check ok, schema ${version}, WAL ${walMb} MB (over ${WAL_WARN_BYTES / 1048576} MB: checkpoints starved?)`,
      });
    else
      out.push({
        name: 'database',
        level: 'ok',
        message: `quick_check ok, schema ${version}${version < SCHEMA_VERSION ? ` (migrated to ${SCHEMA_VERSION} by the next writer)` : ''}, WAL ${walMb} MB`,
      });
    if (version < 1) return out;
    out.push(...dataChecks(db, cfg, nowMs));
  } finally {
    db.close();
  }
  return out;
}

/**
 * The newest trading day whose data is due at `nowMs`, by follow mode's schedule when its settings
 * exist (FOLLOW_DUE_ET the same evening, or FOLLOW_FLATFILE_DUE_ET the next day with
 * FOLLOW_WAIT_FOR=flatfiles), else {@link DATA_DUE_ET} the same evening.
 */
export function lastDueTradingDay(
  nowMs: number,
  cfg?: Partial<Pick<Config, 'FOLLOW_WAIT_FOR' | 'FOLLOW_DUE_ET' | 'FOLLOW_FLATFILE_DUE_ET'>>,
): string {
  const flat = cfg?.FOLLOW_WAIT_FOR === 'flatfiles';
  const due = (flat ? cfg?.FOLLOW_FLATFILE_DUE_ET : cfg?.FOLLOW_DUE_ET) ?? DATA_DUE_ET;
  return (
    latestDueDay(nowMs, { dueEt: due, dueDayOffset: flat ? 1 : 0 }) ??
    prevTradingDay(todayEt(nowMs))
  );
}

function dataChecks(db: Db, cfg: Config, nowMs: number): HealthCheck[] {
  const out: HealthCheck[] = [];
  // Last scanned day against the calendar.
  const last = lastScannedDay(db, 'COMPLETE');
  const due = lastDueTradingDay(nowMs, cfg);
  const state = (() => {
    try {
      return readBackfillState(resolve(cfg.GAPCTL_STATE_DIR)) as unknown as Record<
        string,
        unknown
      > | null;
    } catch {
      return null;
    }
  })();
  const following = !!state && (state['follow'] === true || state['mode'] === 'follow');
  if (!last) {
    out.push({
      name: 'last-day',
      level: following ? 'warn' : 'ok',
      message: `no COMPLETE day yet (last trading day due: ${due})`,
    });
  } else {
    const behind = Math.max(0, tradingDaysBetween(last, due));
    if (behind <= 1)
      out.push({
        name: 'last-day',
        level: 'ok',
        message: `last COMPLETE day ${last}, ${behind} trading day(s) behind ${due}`,
      });
    else
      out.push({
        name: 'last-day',
        level: following ? 'warn' : 'ok',
        message: `last COMPLETE day ${last}, ${behind} trading days behind ${due}${following ? ' (stale)' : ' (no follow: info only)'}`,
      });
  }
  // SLA, baseline-only and audits over the 30 trading days ending at the newest scanned day.
  const newest = lastQcDay(db);
  if (!newest) {
    out.push({ name: 'sla', level: 'ok', message: 'no day in qc_daily_summary yet' });
  } else {
    const win = lastNTradingDays(newest, 30);
    const rows = qcSlaRows(db, win[0]!, newest).map((r) => ({
      date: r.date,
      p: r.seconds,
      e: r.errorRate,
      a: r.auditPassed,
    }));
    const slow = rows.filter((r) => r.p !== null && r.p > cfg.SLA_MAX_PROCESSING_SEC);
    const errs = rows.filter((r) => r.e !== null && r.e > cfg.SLA_MAX_ERROR_RATE);
    const span = `${win[0]}..${newest}`;
    if (slow.length || errs.length) {
      const parts: string[] = [];
      if (slow.length)
        parts.push(
          `${slow.length} day(s) over ${cfg.SLA_MAX_PROCESSING_SEC} s processing (${slow
            .slice(-3)
            .map((r) => `${r.date} ${Math.round(r.p!)} s`)
            .join(', ')})`,
        );
      if (errs.length)
        parts.push(
          `${errs.length} day(s) over ${(cfg.SLA_MAX_ERROR_RATE * 100).toFixed(1)}% API errors (${errs
            .slice(-3)
            .map((r) => `${r.date} ${(r.e! * 100).toFixed(1)}%`)
            .join(', ')})`,
        );
      out.push({ name: 'sla', level: 'warn', message: `${span}: ${parts.join('; ')}` });
    } else {
      out.push({
        name: 'sla',
        level: 'ok',
        message: `${span}: ${rows.length} day(s), none over ${cfg.SLA_MAX_PROCESSING_SEC} s or ${(cfg.SLA_MAX_ERROR_RATE * 100).toFixed(1)}% API errors`,
      });
    }
    const failedAudits = rows.filter((r) => r.a === 0);
    const audited = rows.filter((r) => r.a !== null).length;
    out.push(
      failedAudits.length
        ? {
            name: 'audits',
            level: 'critical',
            message: `${span}: the audit sample found R1 misses on ${failedAudits.map((r) => r.date).join(', ')} (rerun exhaustive)`,
          }
        : {
            name: 'audits',
            level: 'ok',
            message: `${span}: ${audited} audited day(s), all passed`,
          },
    );
  }
  const bo = baselineOnlyDays(db).map((r) => ({ date: r.date, n: r.count }));
  out.push(
    bo.length
      ? {
          name: 'baseline-only',
          level: 'critical',
          message: `${bo.reduce((s, r) => s + r.n, 0)} baseline-only hit(s) on ${bo
            .slice(0, 5)
            .map((r) => r.date)
            .join(
              ', ',
            )}${bo.length > 5 ? ' ...' : ''}: gapctl scan-day --date D --mode exhaustive, then validate`,
        }
      : { name: 'baseline-only', level: 'ok', message: '0 baseline-only hits' },
  );
  return out;
}

function lockCheck(dbPath: string, selfPid?: number): HealthCheck {
  const name = 'lock';
  const holder = readLock(dbPath);
  if (holder && selfPid !== undefined && holder.pid === selfPid)
    return {
      name,
      level: 'ok',
      message: `this console holds the store (${holder.command} pid ${holder.pid} since ${holder.started_at}, alive)`,
    };
  if (holder)
    return {
      name,
      level: 'ok',
      message: `${holder.command} pid ${holder.pid} on ${holder.host} holds the store since ${holder.started_at} (alive)`,
    };
  if (existsSync(lockPath(dbPath)))
    return {
      name,
      level: 'warn',
      message: `stale lock ${lockPath(dbPath)} (its process is gone; the next run takes it over)`,
    };
  return { name, level: 'ok', message: 'no writer holds the store' };
}

function backupCheck(cfg: Config, nowMs: number): HealthCheck {
  const name = 'backup';
  if (cfg.HEALTH_BACKUP_MAX_AGE_HOURS === 0)
    return { name, level: 'ok', message: 'backup age not checked (HEALTH_BACKUP_MAX_AGE_HOURS=0)' };
  const dir = resolve(cfg.BACKUP_DIR);
  const b = listBackups(dir)[0];
  if (!b) return { name, level: 'warn', message: `no backup in ${dir} (gapctl db backup)` };
  const hours = (nowMs - b.at.getTime()) / 3_600_000;
  const msg = `newest backup ${b.path} is ${hours.toFixed(1)} h old`;
  return hours > cfg.HEALTH_BACKUP_MAX_AGE_HOURS
    ? { name, level: 'warn', message: `${msg} (over ${cfg.HEALTH_BACKUP_MAX_AGE_HOURS} h)` }
    : { name, level: 'ok', message: msg };
}

/**
 * Runs every check. Never throws for a broken dependency (that is a check's level); the embedded
 * market, when used, is started and closed here.
 * @throws Error only when the embedded market's dataset cannot be opened.
 */
export async function runHealth(o: HealthOptions): Promise<HealthReport> {
  const t0 = Date.now();
  const { cfg } = o;
  const now = o.now ?? Date.now;
  const timeoutMs = cfg.HEALTH_TIMEOUT_SEC * 1000;
  const checks: HealthCheck[] = [
    { name: 'config', level: 'ok', message: `configuration valid (${o.market.kind} market)` },
  ];
  let emulator: RunningEmulator | null = null;
  let urls = { polygon: cfg.POLYGON_BASE_URL, v3: cfg.THETA_V3_URL, v1: cfg.THETA_V1_URL };
  let key = cfg.POLYGON_API_KEY;
  let flatFiles: { url: string; accessKey: string; secretKey: string } | null = null;
  try {
    if (o.market.kind === 'live') {
      checks.push(
        cfg.POLYGON_API_KEY
          ? {
              name: 'keys',
              level: 'ok',
              message: `POLYGON_API_KEY set (redacted); FMP_API_KEY ${cfg.FMP_API_KEY ? 'set (redacted)' : 'unset (float shares from Polygon only)'}`,
            }
          : {
              name: 'keys',
              level: 'critical',
              message: 'POLYGON_API_KEY is not set (put it in .env or the environment)',
            },
      );
    } else if (o.services) {
      const sv = o.services;
      urls = { polygon: sv.polygon, v3: sv.v3, v1: sv.v1 };
      flatFiles = sv.flatFiles;
      key = sv.key;
      checks.push({ name: 'keys', level: 'ok', message: `${sv.label}: no API keys needed` });
    } else {
      // The same market a session serves (SIM_TICKERS included: before, health built the default size).
      const source = await openEmbeddedMarket(o.market, cfg);
      emulator = await startEmulator(embeddedEmulatorOptions(source, cfg));
      urls = { polygon: emulator.polygonUrl, v3: emulator.thetaV3Url, v1: emulator.thetaV1Url };
      flatFiles = emulator.flatFiles;
      key = 'embedded';
      checks.push({
        name: 'keys',
        level: 'ok',
        message: `embedded ${o.market.kind} market (${source.name}): no API keys needed`,
      });
    }
    const where = o.market.kind === 'live' ? `Polygon ${cfg.POLYGON_BASE_URL}` : 'embedded Polygon';
    const statfs = o.statfs ?? defaultStatfs;
    const flat =
      flatFiles ??
      (cfg.FLATFILES_ACCESS_KEY
        ? {
            url: cfg.FLATFILES_ENDPOINT,
            accessKey: cfg.FLATFILES_ACCESS_KEY,
            secretKey: cfg.FLATFILES_SECRET_KEY,
          }
        : null);
    const essential = cfg.FOLLOW_WAIT_FOR === 'flatfiles';
    const parallel = await Promise.all([
      flat
        ? flatFilesCheck(flat.url, flat.accessKey, flat.secretKey, timeoutMs, essential, now())
        : Promise.resolve<HealthCheck>({
            name: 'flatfiles',
            level: essential ? 'critical' : 'ok',
            message: essential
              ? 'FOLLOW_WAIT_FOR=flatfiles but FLATFILES_ACCESS_KEY is not set'
              : 'not configured (optional: FLATFILES_ACCESS_KEY)',
          }),
      polygonCheck(urls.polygon, key, timeoutMs, where),
      thetaCheck('v3', urls.v3, timeoutMs),
      thetaCheck('v1', urls.v1, timeoutMs),
      diskCheck('store', dirname(o.dbPath), cfg, statfs, timeoutMs),
      diskCheck('exports', cfg.GAPCTL_EXPORT_DIR, cfg, statfs, timeoutMs),
      diskCheck('logs', cfg.GAPCTL_LOG_DIR, cfg, statfs, timeoutMs),
    ]);
    checks.push(...parallel);
  } finally {
    await emulator?.close();
  }
  // The store last: better-sqlite3 is synchronous (a locked store blocks up to the timeout), so it
  // must not hold up the HTTP probes' timers.
  const nowMs = now();
  checks.push(
    lockCheck(o.dbPath, o.selfPid),
    ...storeChecks(o, timeoutMs, nowMs),
    backupCheck(cfg, nowMs),
  );
  const level = worst(checks.map((c) => c.level));
  return { level, exitCode: RANK[level] as 0 | 1 | 2, checks, ms: Date.now() - t0 };
}

/**
 * The market spec of a running engine from its snapshot's market name (`live`, `sim:N`,
 * `replay:<dataset>`): a replay market is found through GAPCTL_MARKET when that names a replay
 * dataset (`replay:PATH`), else it is the bundled dataset (the name carries no path).
 */
export function marketOfName(name: string, cfg: Pick<Config, 'GAPCTL_MARKET'>): MarketSpec {
  if (name === 'live') return { kind: 'live' };
  const sim = /^sim:(\d+)/.exec(name);
  if (sim) return { kind: 'sim', seed: Number(sim[1]) };
  try {
    const m = parseMarket(cfg.GAPCTL_MARKET);
    if (m.kind === 'replay') return m;
  } catch {
    // a bad GAPCTL_MARKET: the bundled dataset
  }
  return parseMarket('replay');
}

/**
 * The health checks of a console attached to a headless runner (`gapctl console --attach`), run in
 * the attaching process, read-only, as `gapctl health` would beside it: the runner's store (the
 * snapshot's `db`) and market ({@link marketOfName}; an embedded one is started here and probed).
 * The runner holding the store's lock is a live writer (ok).
 * @throws Error (one line) before the runner's first snapshot.
 */
export async function runnerHealth(
  snapshot: { market: string; db: string } | null,
  cfg: Config,
  opts: Pick<HealthOptions, 'statfs' | 'now'> = {},
): Promise<HealthReport> {
  if (!snapshot) throw new Error("waiting for the headless runner's first snapshot");
  return runHealth({
    cfg,
    market: marketOfName(snapshot.market, cfg),
    dbPath: resolve(snapshot.db),
    ...opts,
  });
}

/** The report as text: a first summary line (monitoring-plugin style), then one line per check. */
export function healthLines(r: HealthReport): string[] {
  const bad = r.checks.filter((c) => c.level !== 'ok');
  const head = `GAPCTL ${r.level.toUpperCase()}${bad.length ? ` - ${bad.map((c) => `${c.name}: ${c.message}`).join(' | ')}` : ' - all checks passed'}`;
  return [head, ...r.checks.map((c) => `${c.level.padEnd(8)} ${c.name.padEnd(14)} ${c.message}`)];
}
