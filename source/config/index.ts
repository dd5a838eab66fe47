/**
 * Typed configuration: environment variables (and a `.env` file in the working directory) parsed
 * by zod into one {@link Config} object. Every variable named in the domain spec lives here with its
 * default; a bad value is a one-line {@link ConfigError} naming the variable and what it accepts.
 *
 * Over 400 lines: the one list of configuration variables: every variable, its zod schema, default
 * and docstring, which the README test checks; one table is what makes it the single place to
 * look.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

const int = (min: number, max: number, what: string) =>
  z.coerce.number({ invalid_type_error: what }).int(what).min(min, what).max(max, what);
const num = (min: number, max: number, what: string) =>
  z.coerce.number({ invalid_type_error: what }).min(min, what).max(max, what);
const bool = (what: string) =>
  z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .refine((s) => ['true', 'false', '1', '0', 'yes', 'no'].includes(s), what)
    .transform((s) => s === 'true' || s === '1' || s === 'yes');
const csvList = (allowed: readonly string[] | null, what: string) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim().toUpperCase())
        .filter(Boolean),
    )
    .refine(
      (xs) => xs.length > 0 && (allowed === null || xs.every((x) => allowed.includes(x))),
      what,
    );
const url = (what: string) =>
  z
    .string()
    .url(what)
    .transform((s) => s.replace(/\/+$/, ''));
const time = (what: string) => z.string().regex(TIME_RE, what);

/**
 * The schema: one entry per environment variable. Defaults are strings so that they go through the
 * same parsing as user values. Descriptions double as the README table and `gapctl config` output.
 */
export const CONFIG_VARIABLES = {
  POLYGON_API_KEY: {
    def: '',
    secret: true,
    doc: 'Polygon/Massive REST key (live market only). Never printed.',
    schema: z.string(),
  },
  POLYGON_BASE_URL: {
    def: 'https://api.massive.com',
    doc: 'Polygon/Massive REST base URL.',
    schema: url('an http(s) URL'),
  },
  POLYGON_CONCURRENCY: {
    def: '8',
    doc: 'Polygon requests in flight at once.',
    schema: int(1, 64, 'an integer 1-64'),
  },
  POLYGON_TIMEOUT_SEC: {
    def: '30',
    doc: 'Polygon request timeout, seconds.',
    schema: num(0.1, 600, 'a number of seconds 0.1-600'),
  },
  POLYGON_RETRIES: {
    def: '4',
    doc: 'Polygon retries on 429/5xx/timeouts/malformed 200 bodies.',
    schema: int(0, 20, 'an integer 0-20'),
  },
  POLYGON_BACKOFF_BASE: {
    def: '0.5',
    doc: 'Polygon backoff base, seconds (doubles per retry, with jitter).',
    schema: num(0, 60, 'a number of seconds 0-60'),
  },
  POLYGON_PLAN: {
    def: 'paid',
    doc: 'Polygon/Massive plan: paid (no request-rate limit beyond POLYGON_CONCURRENCY) | free (5 requests a minute).',
    schema: z.enum(['paid', 'free'], { errorMap: () => ({ message: 'paid or free' }) }),
  },
  POLYGON_RATE_PER_MIN: {
    def: '0',
    doc: "Polygon requests started per minute, retries included (0 = the plan's own: free 5, paid unlimited).",
    schema: int(0, 100000, 'an integer 0-100000'),
  },
  THETA_V3_URL: {
    def: 'http://127.0.0.1:25503',
    doc: 'ThetaData v3 terminal base URL (without /v3).',
    schema: url('an http(s) URL'),
  },
  THETA_V1_URL: {
    def: 'http://127.0.0.1:25510',
    doc: 'Legacy ThetaData v2-API terminal ("v1") base URL (without /v2).',
    schema: url('an http(s) URL'),
  },
  THETA_V3_MAX_OUTSTANDING: {
    def: '4',
    doc: 'Cap on requests in flight to the v3 terminal (plan: FREE 1, VALUE 2, STANDARD 4, PRO 8).',
    schema: int(1, 64, 'an integer 1-64'),
  },
  THETA_V1_MAX_OUTSTANDING: {
    def: '4',
    doc: 'Cap on requests in flight to the legacy v1 terminal.',
    schema: int(1, 64, 'an integer 1-64'),
  },
  THETA_TIMEOUT_SEC: {
    def: '10',
    doc: 'Theta request timeout, seconds.',
    schema: num(0.1, 600, 'a number of seconds 0.1-600'),
  },
  THETA_RETRIES: {
    def: '3',
    doc: 'Theta retries on 429/474/571/5xx/timeouts before falling back to the next source.',
    schema: int(0, 20, 'an integer 0-20'),
  },
  THETA_BACKOFF_BASE: {
    def: '0.25',
    doc: 'Theta backoff base, seconds (doubles per retry, with jitter, cap 30 s).',
    schema: num(0, 60, 'a number of seconds 0-60'),
  },
  THETA_MAX_472_LOGS: {
    def: '3',
    doc: 'How many 472 (no data) answers are logged per venue and day.',
    schema: int(0, 1000, 'an integer 0-1000'),
  },
  R1_THREAD_WORKERS: {
    def: '16',
    doc: 'Premarket lookups scheduled at once (they still wait for the Theta cap).',
    schema: int(1, 512, 'an integer 1-512'),
  },
  R1_MODE: {
    def: 'prefilter',
    doc: 'R1 candidate selection: prefilter | exhaustive.',
    schema: z.enum(['prefilter', 'exhaustive'], {
      errorMap: () => ({ message: 'prefilter or exhaustive' }),
    }),
  },
  R1_PREFILTER_PCT: {
    def: '20',
    doc: 'Prefilter: day high / previous close - 1 (percent) that makes a symbol an R1 candidate.',
    schema: num(0, 10000, 'a percent 0-10000'),
  },
  R1_PROOF: {
    def: 'auto',
    doc: "Prove every scanned day (docs/domain.md section 14): auto (premarket highs of every eligible symbol from the day's flat file when configured, confirmed with Theta near the threshold; else Theta for every eligible symbol) | off (prefilter and audit only: days stay unproven).",
    schema: z.enum(['auto', 'off'], { errorMap: () => ({ message: 'auto or off' }) }),
  },
  BASELINE_PM_SOURCE: {
    def: 'auto',
    doc: "Validation baseline: where its premarket highs come from: auto (the day's flat file when flat files are configured, else per symbol as polygon) | polygon (Polygon minute aggregates per symbol, Theta when Polygon cannot serve one) | flatfile (the day's flat file, one object for every symbol; per symbol as polygon, with the reason recorded, when flat files are not configured or the file is unpublished, refused or broken).",
    schema: z.enum(['auto', 'polygon', 'flatfile'], {
      errorMap: () => ({ message: 'auto, polygon or flatfile' }),
    }),
  },
  R1_PROOF_BAND_PCT: {
    def: '5',
    doc: 'Proof by flat file: a symbol whose minute-bar premarket high is within this many percentage points below R1_TH (or above) is confirmed with Theta trades, the source of record.',
    schema: num(0, 100, 'a number of percentage points 0-100'),
  },
  AUDIT_SAMPLE_N: {
    def: '50',
    doc: 'Seeded random audit sample outside the R1 candidates (rule of three).',
    schema: int(0, 100000, 'an integer 0-100000'),
  },
  AUDIT_SEED: {
    def: '20180103',
    doc: 'Seed of the audit sample (mixed with the date).',
    schema: int(0, 2 ** 31 - 1, 'a non-negative integer'),
  },
  R1_TH: {
    def: '50',
    doc: 'R1 PM_GAP_50 threshold, percent.',
    schema: num(0, 100000, 'a percent'),
  },
  R2_TH: {
    def: '50',
    doc: 'R2 OPEN_GAP_50 threshold, percent.',
    schema: num(0, 100000, 'a percent'),
  },
  R3_TH: {
    def: '50',
    doc: 'R3 INTRADAY_PUSH_50 threshold, percent.',
    schema: num(0, 100000, 'a percent'),
  },
  R4_TH: {
    def: '300',
    doc: 'R4 SURGE_7D_300 threshold, percent.',
    schema: num(0, 100000, 'a percent'),
  },
  PM_START: {
    def: '04:00:00',
    doc: 'Premarket window start, ET wall clock HH:MM:SS (inclusive).',
    schema: time('HH:MM:SS'),
  },
  PM_END: {
    def: '09:30:00',
    doc: 'Premarket window end, ET wall clock HH:MM:SS (exclusive).',
    schema: time('HH:MM:SS'),
  },
  PM_HIGH_POLICY: {
    def: 'tape',
    doc: "Premarket high from Theta trades: tape (only prints that may set a high under ThetaData's trade-conditions table: no odd lots, cancels or cancelled prints; Form T / extended-hours prints count) | raw (the maximum of every print).",
    schema: z.enum(['tape', 'raw'], { errorMap: () => ({ message: 'tape or raw' }) }),
  },
  ALLOWED_EXCHANGES: {
    def: 'NYSE,NASDAQ,AMEX',
    doc: 'Exchanges a hit may list on (comma list of NYSE, NASDAQ, AMEX).',
    schema: csvList(['NYSE', 'NASDAQ', 'AMEX'], 'a comma list of NYSE, NASDAQ, AMEX'),
  },
  EXCLUDE_DERIVATIVES: {
    def: 'true',
    doc: 'Keep only ALLOW_SECURITY_TYPES (warrants, units, rights, preferreds, ETFs out).',
    schema: bool('true or false'),
  },
  ALLOW_SECURITY_TYPES: {
    def: 'CS,ADRC,ADRP,ADRR,ADRW,GDR',
    doc: 'Polygon security types kept when EXCLUDE_DERIVATIVES=true.',
    schema: csvList(null, 'a comma list of Polygon type codes'),
  },
  DISCOVERY_MIN_VOL: {
    def: '100000',
    doc: 'Minimum scan-day volume of a hit, shares.',
    schema: num(0, 1e12, 'a number of shares >= 0'),
  },
  MISS_AUDIT_TOP_N: {
    def: '150',
    doc: 'Post-scan miss audit: top N gainers by day high / previous close (30 during bulk backfills).',
    schema: int(0, 100000, 'an integer 0-100000'),
  },
  R1_HEALTH_MIN: {
    def: '0.15',
    doc: 'R1 health gate: least share of premarket answers that are 200 (of 200 + 204 + 472) on a day with 10 or more R3 hits (ratio 0-1; runbook 0.15, 0 turns the gate off).',
    schema: num(0, 1, 'a ratio 0-1'),
  },
  MISS_AUDIT_THETA: {
    def: 'true',
    doc: 'Post-scan miss audit re-checks R1 through Theta.',
    schema: bool('true or false'),
  },
  FMP_API_KEY: {
    def: '',
    secret: true,
    doc: 'FinancialModelingPrep key for float shares (optional). Never printed.',
    schema: z.string(),
  },
  FMP_BASE_URL: {
    def: 'https://financialmodelingprep.com',
    doc: 'FMP base URL.',
    schema: url('an http(s) URL'),
  },
  FLATFILES_ENDPOINT: {
    def: 'https://files.massive.com',
    doc: 'Massive (Polygon) Flat Files S3 endpoint (path-style; bucket flatfiles).',
    schema: url('an http(s) URL'),
  },
  FLATFILES_ACCESS_KEY: {
    def: '',
    secret: true,
    doc: 'Flat Files S3 access key (separate from the REST key; live market only, the embedded markets bring their own). Never printed.',
    schema: z.string(),
  },
  FLATFILES_SECRET_KEY: {
    def: '',
    secret: true,
    doc: 'Flat Files S3 secret key. Never printed.',
    schema: z.string(),
  },
  FLATFILES_CACHE_DIR: {
    def: '',
    doc: 'Folder where downloaded day files are kept (empty = no cache).',
    schema: z.string(),
  },
  FLATFILES_TIMEOUT_SEC: {
    def: '60',
    doc: 'Flat Files timeout for the answer and between body chunks, seconds.',
    schema: num(0.1, 3600, 'a number of seconds 0.1-3600'),
  },
  FLATFILES_RETRIES: {
    def: '3',
    doc: 'Flat Files retries on 5xx, timeouts, network errors and broken files.',
    schema: int(0, 20, 'an integer 0-20'),
  },
  GAPCTL_DB: {
    def: 'db/scanner.db',
    doc: 'SQLite store path (overridden by --db).',
    schema: z.string().min(1, 'a file path'),
  },
  GAPCTL_STATE_DIR: {
    def: 'project_state',
    doc: 'Folder of current_state.json, task_log.md, artifacts/.',
    schema: z.string().min(1, 'a folder path'),
  },
  GAPCTL_EXPORT_DIR: {
    def: 'exports',
    doc: 'Folder of CSV exports (overridden by --out).',
    schema: z.string().min(1, 'a folder path'),
  },
  GAPCTL_REPORTS_DIR: {
    def: 'db/reports',
    doc: 'Folder of provider_overlap_<date>.csv reports.',
    schema: z.string().min(1, 'a folder path'),
  },
  GAPCTL_LOG_DIR: {
    def: 'logs',
    doc: "Folder of the application's own rotated log.",
    schema: z.string().min(1, 'a folder path'),
  },
  ENGINE_NICE: {
    def: '10',
    doc: 'Console: nice value of the engine worker thread (Linux, where nice is per thread; 0-19, higher yields the CPU sooner), so that the UI thread answers keys at once while a day runs. Only in the console; a batch run (--no-tui, no TTY) keeps the process priority. 0 leaves it.',
    schema: int(0, 19, 'an integer 0-19'),
  },
  GAPCTL_MARKET: {
    def: 'replay',
    doc: 'Default market: replay[:PATH] | sim[:SEED] | live (overridden by --market).',
    schema: z
      .string()
      .regex(/^(replay(:.+)?|sim(:\d+)?|live)$/, 'replay[:PATH], sim[:SEED] or live'),
  },
  FOLLOW_DUE_ET: {
    def: '18:30:00',
    doc: 'backfill --follow: ET time on a trading day when its grouped daily and Theta data are due (the day is scanned then).',
    schema: time('HH:MM:SS'),
  },
  FOLLOW_FLATFILE_DUE_ET: {
    def: '11:00:00',
    doc: "backfill --follow with FOLLOW_WAIT_FOR=flatfiles: ET time on the NEXT calendar day when a trading day's flat file is due.",
    schema: time('HH:MM:SS'),
  },
  FOLLOW_WAIT_FOR: {
    def: 'rest',
    doc: 'backfill --follow: which data a day waits for: rest (grouped daily + Theta, FOLLOW_DUE_ET the same day) | flatfiles (FOLLOW_FLATFILE_DUE_ET the next day).',
    schema: z.enum(['rest', 'flatfiles'], { errorMap: () => ({ message: 'rest or flatfiles' }) }),
  },
  EMU_THETA_LATENCY_MS: {
    def: '0',
    doc: 'Embedded market: added latency of every Theta answer, ms.',
    schema: num(0, 60000, 'a number of ms 0-60000'),
  },
  EMU_POLYGON_LATENCY_MS: {
    def: '0',
    doc: 'Embedded market: added latency of every Polygon answer, ms.',
    schema: num(0, 60000, 'a number of ms 0-60000'),
  },
  EMU_FAULTS: {
    def: 'none',
    doc: 'Embedded market: faults to switch on, comma list of NAME=PROBABILITY (polygon429, polygon5xx, polygonMalformed, theta429, theta474, theta571, theta5xx, thetaTimeout, thetaMalformed) and flags (polygonOutage, thetaOutage, v1Gone, flatFilesForbidden), e.g. theta429=0.05,polygon5xx=0.01; none for off.',
    schema: z
      .string()
      .regex(
        /^(none|((polygon429|polygon5xx|polygonMalformed|theta429|theta474|theta571|theta5xx|thetaTimeout|thetaMalformed)=(0(\.\d+)?|1(\.0+)?)|polygonOutage|polygon429EmptyBody|thetaOutage|v1Gone|flatFilesForbidden)(,((polygon429|polygon5xx|polygonMalformed|theta429|theta474|theta571|theta5xx|thetaTimeout|thetaMalformed)=(0(\.\d+)?|1(\.0+)?)|polygonOutage|polygon429EmptyBody|thetaOutage|v1Gone|flatFilesForbidden))*)$/,
        'none or a comma list like theta429=0.05,polygon5xx=0.01,thetaOutage (probabilities 0-1)',
      ),
  },
  SIM_PM_FADES: {
    def: 'blocks',
    doc: 'Simulated market: premarket fades under the prefilter (R1-only hits the prefilter cannot see): blocks (one per 28-day block), none, or a comma list of YYYY-MM-DD days (a forced prefilter miss on each).',
    schema: z
      .string()
      .regex(
        /^(blocks|none|\d{4}-\d{2}-\d{2}(,\d{4}-\d{2}-\d{2})*)$/,
        'blocks, none or a comma list of YYYY-MM-DD days',
      ),
  },
  SIM_TICKERS: {
    def: '11000',
    doc: 'Simulated market: ticker symbols over all time (about 40% are listed common stock on a 2024 day); smaller universes make faster tests.',
    schema: int(50, 100000, 'an integer 50-100000'),
  },
  STORE_BAR_CACHE_DAYS: {
    def: '10',
    doc: "Memory: days of whole-market daily bars the engine's store keeps in memory (least recently used first out; the R4 window of 7 days, the previous day and margin; held compactly, about 0.5 MB a day of 8,000 bars). Fewer re-reads them from SQLite.",
    schema: int(1, 1000, 'an integer of days 1-1000'),
  },
  SQLITE_CACHE_MB: {
    def: '2',
    doc: "Memory: SQLite page cache of the engine's store connection, MB (PRAGMA cache_size; 2 is SQLite's own default). More can speed up reruns and validation of old days at that cost in RSS.",
    schema: num(0.1, 4096, 'a number of MB 0.1-4096'),
  },
  SIM_PLAN_CACHE: {
    def: '2048',
    doc: "Memory: simulated market: event plans kept in memory (least recently used first out; one plan is one ticker's event in one 28-day slot, about 3 KB; a plan evicted is rebuilt identically when asked again). The default covers about 80 trading days of events; each is recomputed outside it.",
    schema: int(16, 10_000_000, 'an integer 16-10000000'),
  },
  SIM_DAY_CACHE: {
    def: '4',
    doc: 'Memory: simulated market: trading days whose whole-market tables the generator keeps in memory (least recently used first out; about 1 MB a day for 11,000 tickers; its reference-ticker lists, about 1 MB a day, are kept for half as many days, at least 1). A backfill asks for the scan day and its previous day; a day evicted is rebuilt identically when asked again.',
    schema: int(1, 1000, 'an integer of days 1-1000'),
  },
  EMU_THETA_QUEUE: {
    def: '16',
    doc: 'Embedded market: Theta terminal queue length beyond the cap before it answers 429.',
    schema: int(0, 10000, 'an integer 0-10000'),
  },
  WORKER_MAX_OLD_MB: {
    def: '160',
    doc: 'Memory: heap limit of the engine worker thread (V8 old generation), MB; a backfill that reaches it stops HALTED with a one-line reason (resume with `gapctl backfill`; raise the limit). 0: no limit (V8 default).',
    schema: int(0, 65536, 'an integer of MB 0-65536 (0: no limit)'),
  },
  WORKER_MAX_YOUNG_MB: {
    def: '8',
    doc: 'Memory: young-generation size of the engine worker thread, MB (short-lived objects; smaller keeps RSS down at some GC cost: 8 instead of 16 took ~10 MB off the RSS of a simulated backfill for ~4% more CPU). 0: V8 default.',
    schema: int(0, 1024, 'an integer of MB 0-1024 (0: V8 default)'),
  },
  BACKUP_DIR: {
    def: 'db/backups',
    doc: 'Folder of `gapctl db backup` copies (overridden by --to).',
    schema: z.string().min(1, 'a folder path'),
  },
  BACKUP_KEEP: {
    def: '7',
    doc: 'Backups kept by count, newest first (0 keeps all).',
    schema: int(0, 100000, 'an integer 0-100000'),
  },
  BACKUP_MAX_AGE_DAYS: {
    def: '30',
    doc: 'Backups older than this are removed when a new one is taken, days (0 keeps all).',
    schema: num(0, 100000, 'a number of days 0-100000'),
  },
  BACKUP_EVERY_MONTH: {
    def: 'false',
    doc: 'A backfill takes a verified backup (BACKUP_DIR) after every completed month.',
    schema: bool('true or false'),
  },
  SLA_MAX_PROCESSING_SEC: {
    def: '900',
    doc: 'SLA: most processing time of one day, seconds (runbook: 15 minutes); a breach raises a WARNING alert of kind SLA.',
    schema: num(0.001, 86400, 'a number of seconds 0.001-86400'),
  },
  SLA_MAX_ERROR_RATE: {
    def: '0.05',
    doc: 'SLA: highest API error rate of one day (errors / requests, Theta + Polygon; ratio 0-1); a breach raises a WARNING alert of kind SLA.',
    schema: num(0, 1, 'a ratio 0-1'),
  },
  HEALTH_TIMEOUT_SEC: {
    def: '2',
    doc: '`gapctl health`: timeout of each probe, seconds.',
    schema: num(0.1, 60, 'a number of seconds 0.1-60'),
  },
  HEALTH_DISK_WARN_MB: {
    def: '1024',
    doc: '`gapctl health`: free disk under the store, exports or logs folder that warns, MB.',
    schema: num(0, 1e9, 'a number of MB >= 0'),
  },
  HEALTH_DISK_CRIT_MB: {
    def: '200',
    doc: '`gapctl health`: free disk that is critical, MB.',
    schema: num(0, 1e9, 'a number of MB >= 0'),
  },
  HEALTH_BACKUP_MAX_AGE_HOURS: {
    def: '48',
    doc: '`gapctl health`: the newest backup older than this warns, hours (0: no backup check).',
    schema: num(0, 1e6, 'a number of hours >= 0'),
  },
  ALERT_WEBHOOK_URL: {
    def: '',
    secret: true,
    doc: 'Alerts out: webhook receiving each alert as a JSON POST (empty: off). A secret: never printed or logged.',
    schema: z
      .string()
      .refine((s) => s === '' || /^https?:\/\/[^\s]+$/.test(s), 'an http(s) URL or empty'),
  },
  ALERT_WEBHOOK_FORMAT: {
    def: 'json',
    doc: 'Alerts out: webhook body, json (the alert object) or slack (a `text` field, Slack-compatible).',
    schema: z.enum(['json', 'slack'], { errorMap: () => ({ message: 'json or slack' }) }),
  },
  ALERT_COMMAND: {
    def: '',
    doc: 'Alerts out: shell command run for each alert, the alert JSON on stdin and in GAPCTL_ALERT_JSON (also GAPCTL_ALERT_SEVERITY, _KIND, _DATE, _MESSAGE); empty: off.',
    schema: z.string(),
  },
  ALERT_COMMAND_TIMEOUT_SEC: {
    def: '10',
    doc: 'Alerts out: the alert command is killed after this many seconds (a failure).',
    schema: num(0.1, 600, 'a number of seconds 0.1-600'),
  },
  ALERT_MIN_SEVERITY: {
    def: 'INFO',
    doc: 'Alerts out: least severity sent to alerts.jsonl, the webhook and the command (INFO, WARNING, CRITICAL); the screen shows all.',
    schema: z.enum(['INFO', 'WARNING', 'CRITICAL'], {
      errorMap: () => ({ message: 'INFO, WARNING or CRITICAL' }),
    }),
  },
  ALERTS_JSONL: {
    def: 'true',
    doc: 'Alerts out: append each alert to <GAPCTL_STATE_DIR>/alerts.jsonl (one JSON line each).',
    schema: bool('true or false'),
  },
  ALERT_DEDUP_SEC: {
    def: '600',
    doc: 'Alerts out: the same kind + date + message within this many seconds is sent once.',
    schema: int(0, 86400, 'an integer 0-86400'),
  },
  ALERT_RATE_PER_MIN: {
    def: '20',
    doc: 'Alerts out: token bucket per sink, alerts per minute (burst of the same size); beyond it alerts are dropped and counted in the log.',
    schema: int(1, 10000, 'an integer 1-10000'),
  },
  ARTIFACTS_COMPRESS_DAYS: {
    def: '30',
    doc: 'Retention: per-day scan logs and artifacts (project_state/artifacts) older than this many days are gzip-compressed (0: off).',
    schema: int(0, 100000, 'an integer 0-100000'),
  },
  ARTIFACTS_PRUNE_DAYS: {
    def: '365',
    doc: 'Retention: per-day artifacts older than this many days are deleted (0: never); exports are never pruned.',
    schema: int(0, 100000, 'an integer 0-100000'),
  },
} as const satisfies Record<
  string,
  { def: string; doc: string; secret?: boolean; schema: z.ZodTypeAny }
>;

/**
 * EMU_FAULTS as the emulator's fault switches: `{ theta429: 0.05, thetaOutage: true, ... }`
 * ({} for `none`). The value was validated by the schema.
 */
export function parseEmuFaults(value: string): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  if (value === 'none') return out;
  for (const part of value.split(',')) {
    const [k, v] = part.split('=');
    out[k!] = v === undefined ? true : Number(v);
  }
  return out;
}

/** Names of every configuration variable. */
export type ConfigName = keyof typeof CONFIG_VARIABLES;

/** The effective configuration: every variable parsed to its type (numbers, booleans, lists). */
export type Config = { [K in ConfigName]: z.output<(typeof CONFIG_VARIABLES)[K]['schema']> };

/** A bad configuration value: the message is one line naming the variable and what it accepts. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads `.env` from `cwd` (if present) without touching `process.env`; real environment variables
 * win over `.env` values.
 * @throws ConfigError when the file exists but cannot be read, or holds a line that is neither
 *   blank, a comment nor KEY=VALUE (dotenv would skip it silently): the message names its number.
 */
export function readDotenv(cwd: string = process.cwd()): Record<string, string> {
  const path = resolve(cwd, '.env');
  if (!existsSync(path)) return {};
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (e) {
    throw new ConfigError(`.env: cannot read ${path}: ${(e as Error).message}`);
  }
  const bad = dotenvBadLine(text.toString('utf8'));
  if (bad !== null) {
    throw new ConfigError(
      `.env: line ${bad} of ${path} is not KEY=VALUE, a comment or blank (the line is not shown: it may hold a secret)`,
    );
  }
  return parseDotenv(text);
}

/** A line dotenv reads as a variable: optional `export`, a key of letters, digits, `_`, `.`, `-`, then `=` or `: `. */
const DOTENV_ASSIGNMENT = /^\s*(?:export\s+)?[\w.-]+(?:\s*=|:\s)(.*)$/;

/**
 * The number (1-based) of the first line of a `.env` text that dotenv would silently ignore: not
 * blank, not a comment (`#`), not `KEY=VALUE` (or `KEY: VALUE`, optionally after `export`). The
 * continuation lines of a quoted value that spans lines (`KEY="a` ... `b"`) belong to it.
 * @returns null when every line is one of those.
 */
export function dotenvBadLine(text: string): number | null {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = DOTENV_ASSIGNMENT.exec(line);
    if (!m) return i + 1;
    // A value opened with a quote that does not close on this line runs on to the line that does.
    const value = m[1]!.trimStart();
    const q = value[0];
    if (q === '"' || q === "'" || q === '`') {
      let closed = value.indexOf(q, 1) >= 0;
      while (!closed && i + 1 < lines.length) {
        i++;
        closed = lines[i]!.includes(q);
      }
    }
  }
  return null;
}

/**
 * Builds the typed config from an environment (default: `.env` merged under `process.env`), with
 * `overrides` (e.g. from command-line flags) on top.
 * @throws ConfigError naming the first bad variable and what it accepts.
 */
export function loadConfig(
  env: Record<string, string | undefined> = { ...readDotenv(), ...process.env },
  overrides: Partial<Record<ConfigName, string>> = {},
): Config {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_VARIABLES) as [
    ConfigName,
    (typeof CONFIG_VARIABLES)[ConfigName],
  ][]) {
    const raw = overrides[name] ?? env[name];
    const value = raw === undefined || raw === '' ? spec.def : raw;
    const parsed = spec.schema.safeParse(value);
    if (!parsed.success) {
      const shown = 'secret' in spec && spec.secret ? '<redacted>' : JSON.stringify(value);
      throw new ConfigError(
        `config: ${name}=${shown} is invalid: expected ${parsed.error.issues[0]?.message ?? 'a valid value'}`,
      );
    }
    out[name] = parsed.data;
  }
  const cfg = out as Config;
  if (cfg.PM_START >= cfg.PM_END)
    throw new ConfigError(`config: PM_START=${cfg.PM_START} must be before PM_END=${cfg.PM_END}`);
  return cfg;
}

/** True for variables whose values must never be shown (API keys). */
export function isSecret(name: ConfigName): boolean {
  const spec = CONFIG_VARIABLES[name];
  return 'secret' in spec && spec.secret === true;
}

/**
 * The effective configuration as `NAME=value` lines for `gapctl config`; secrets show as
 * `<set, redacted>` or `<unset>`.
 */
export function describeConfig(cfg: Config): string[] {
  return (Object.keys(CONFIG_VARIABLES) as ConfigName[]).map((name) => {
    const v = cfg[name];
    if (isSecret(name)) return `${name}=${v ? '<set, redacted>' : '<unset>'}`;
    return `${name}=${Array.isArray(v) ? v.join(',') : String(v)}`;
  });
}
