/**
 * Over 400 lines: the three sinks share one queue, retry and drop policy and one stats object;
 * split per sink, each file would repeat that policy or import it back, and the policy is what a
 * reader must see whole.
 *
 * Alerts out (issue 12.6): every alert the engine raises (an `alert` engine event, already stored in
 * the `alerts` table and shown on screen with the bell) also goes to each configured external sink:
 *
 * - `alerts.jsonl` in the state folder: one JSON line per alert, appended (ALERTS_JSONL);
 * - a webhook (ALERT_WEBHOOK_URL): a POST of the alert as JSON, or `{ "text": ... }` for Slack
 *   (ALERT_WEBHOOK_FORMAT=slack), through undici, retried with exponential backoff;
 * - a command hook (ALERT_COMMAND): spawned through the shell with the alert JSON on stdin and in
 *   the environment, killed after ALERT_COMMAND_TIMEOUT_SEC.
 *
 * {@link AlertsOut.raise} never blocks and never throws: the webhook and the command are fed from a
 * bounded in-memory queue per sink ({@link SINK_QUEUE_MAX}, the oldest alert dropped and counted when
 * full) drained asynchronously, off the engine's critical path. Alerts are de-duplicated (the same
 * kind + date + message within ALERT_DEDUP_SEC is sent once) and rate-limited by a token bucket per
 * sink (ALERT_RATE_PER_MIN). Below ALERT_MIN_SEVERITY nothing is sent out (the screen shows all).
 *
 * A failing sink is reported once, not in a loop: one log line and one call of `onSinkFailure`
 * (the session turns it into one stored WARNING alert of kind `alert_sink_failed_<sink>`, which is
 * not sent back to the sink that failed). Later failures of the same sink are only counted until it
 * works again (one `recovered` log line). The webhook URL is a secret: it never appears in a log
 * line or a message (shown as `<webhook>`).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { request } from 'undici';
import type { AlertInfo } from '../contracts/events.js';
import type { Config } from '../config/index.js';
import { errorLine } from '../util/errors.js';
import { redactSecrets } from '../util/redact.js';

/** Alert severities, least first. */
export const SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
/** An alert severity. */
export type Severity = (typeof SEVERITIES)[number];
/** Alerts waiting per asynchronous sink (webhook, command); beyond it the oldest is dropped. */
export const SINK_QUEUE_MAX = 100;
/** Kind prefix of the WARNING a failing sink raises about itself. */
export const SINK_FAILED_KIND = 'alert_sink_failed_';

/** The external sinks. */
export type SinkName = 'jsonl' | 'webhook' | 'command';

/** Options of {@link createAlertsOut}; times in ms unless named otherwise. */
export interface AlertsOutOptions {
  /** Folder of `alerts.jsonl` (GAPCTL_STATE_DIR). */
  stateDir: string;
  jsonl: boolean;
  /** Webhook URL, '' for none (a secret). */
  webhookUrl: string;
  webhookFormat: 'json' | 'slack';
  /** Shell command, '' for none. */
  command: string;
  commandTimeoutMs: number;
  minSeverity: Severity;
  dedupWindowMs: number;
  ratePerMin: number;
  /** Log sink for the module's own lines (`[alerts] ...`); secrets are already redacted. */
  log: (line: string) => void;
  /** Called once when a sink starts failing (the session stores and emits a WARNING alert). */
  onSinkFailure?: (sink: SinkName, kind: string, message: string) => void;
  /** Webhook retries after the first attempt (default 3) and backoff base (default 250 ms, doubling). */
  webhookRetries?: number;
  webhookBackoffMs?: number;
  /** Per-attempt webhook timeout (default 5000 ms). */
  webhookTimeoutMs?: number;
  /** Clock, UTC epoch ms (tests). */
  now?: () => number;
  /** Waits between retries (tests may inject). */
  sleep?: (ms: number) => Promise<void>;
}

/** Counters of one sink (for tests, the log and metrics). */
export interface SinkStats {
  sent: number;
  failed: number;
  /** Dropped by the rate limit. */
  rateLimited: number;
  /** Dropped because the queue was full. */
  overflow: number;
  queued: number;
}

/** The dispatcher built by {@link createAlertsOut}. */
export interface AlertsOut {
  /** Hands an alert to every configured sink; returns at once, never throws. */
  raise(alert: AlertInfo): void;
  /** Resolves when every queue is drained, or after `timeoutMs` (true when drained). */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes (bounded by `timeoutMs`, default 3000) and takes no more alerts. */
  close(timeoutMs?: number): Promise<void>;
  /** Counters per configured sink. */
  stats(): Partial<Record<SinkName, SinkStats>>;
  /** The sinks configured, in order. */
  readonly sinks: readonly SinkName[];
}

/** Alerts-out options from the configuration (ALERT_* variables) plus the runtime's hooks. */
export function alertsOutOptions(
  cfg: Config,
  stateDir: string,
  extra: Pick<AlertsOutOptions, 'log' | 'onSinkFailure'>,
): AlertsOutOptions {
  return {
    stateDir,
    jsonl: cfg.ALERTS_JSONL,
    webhookUrl: cfg.ALERT_WEBHOOK_URL,
    webhookFormat: cfg.ALERT_WEBHOOK_FORMAT,
    command: cfg.ALERT_COMMAND,
    commandTimeoutMs: cfg.ALERT_COMMAND_TIMEOUT_SEC * 1000,
    minSeverity: cfg.ALERT_MIN_SEVERITY,
    dedupWindowMs: cfg.ALERT_DEDUP_SEC * 1000,
    ratePerMin: cfg.ALERT_RATE_PER_MIN,
    ...extra,
  };
}

/** The one-line text of an alert (Slack `text`, command env): `[CRITICAL] kind 2024-02-06: message`. */
export function alertText(a: AlertInfo): string {
  return `[${a.severity}] ${a.kind}${a.date ? ` ${a.date}` : ''}: ${a.message}`;
}

/** The JSON object every sink receives (the alert plus `source: "gapctl"` and the host name's pid). */
export function alertPayload(a: AlertInfo): Record<string, unknown> {
  return {
    source: 'gapctl',
    id: a.id,
    at: a.at,
    severity: a.severity,
    kind: a.kind,
    date: a.date,
    message: a.message,
    text: alertText(a),
  };
}

/** A token bucket: `capacity` tokens, refilled at `capacity` per minute. */
class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.last = now();
  }
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 60_000) * this.capacity);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface Sink {
  name: SinkName;
  bucket: TokenBucket;
  stats: SinkStats;
  /** Reported failing and not yet recovered. */
  down: boolean;
  /** Rate-limit drops not yet logged. */
  limitedSinceLog: number;
  /** Synchronous sinks deliver in raise(); asynchronous ones through the queue. */
  deliver(a: AlertInfo): Promise<void> | void;
  queue: AlertInfo[];
  draining: Promise<void> | null;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Builds the dispatcher; sinks not configured are left out (none at all is fine). */
export function createAlertsOut(o: AlertsOutOptions): AlertsOut {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  const retries = o.webhookRetries ?? 3;
  const backoff = o.webhookBackoffMs ?? 250;
  const timeoutMs = o.webhookTimeoutMs ?? 5000;
  const secrets = o.webhookUrl ? [o.webhookUrl] : [];
  // Never show the webhook URL (it usually carries its token in the path).
  const clean = (text: string) =>
    redactSecrets(o.webhookUrl ? text.split(o.webhookUrl).join('<webhook>') : text, secrets);
  const log = (line: string) => {
    try {
      o.log(clean(line));
    } catch {
      // a log sink must not take alerts down
    }
  };
  const sinks: Sink[] = [];
  const mk = (name: SinkName, deliver: Sink['deliver']): Sink => ({
    name,
    bucket: new TokenBucket(o.ratePerMin, now),
    stats: { sent: 0, failed: 0, rateLimited: 0, overflow: 0, queued: 0 },
    down: false,
    limitedSinceLog: 0,
    deliver,
    queue: [],
    draining: null,
  });
  if (o.jsonl) {
    const path = join(o.stateDir, 'alerts.jsonl');
    sinks.push(
      mk('jsonl', (a) => {
        mkdirSync(o.stateDir, { recursive: true });
        appendFileSync(path, JSON.stringify(alertPayload(a)) + '\n');
      }),
    );
  }
  if (o.webhookUrl) {
    sinks.push(
      mk('webhook', async (a) => {
        const body = JSON.stringify(
          o.webhookFormat === 'slack' ? { text: alertText(a) } : alertPayload(a),
        );
        let lastError = '';
        for (let attempt = 0; attempt <= retries; attempt++) {
          if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1));
          try {
            const res = await request(o.webhookUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'user-agent': 'gapctl-alerts' },
              body,
              signal: AbortSignal.timeout(timeoutMs),
            });
            await res.body.dump();
            if (res.statusCode >= 200 && res.statusCode < 300) return;
            lastError = `HTTP ${res.statusCode}`;
            // 4xx other than 408/429 will not get better with a retry.
            if (res.statusCode < 500 && res.statusCode !== 408 && res.statusCode !== 429) break;
          } catch (e) {
            lastError = errorLine(e);
          }
        }
        throw new Error(`${lastError} after ${retries + 1} attempt(s)`);
      }),
    );
  }
  if (o.command) {
    sinks.push(
      mk(
        'command',
        (a) =>
          new Promise<void>((resolve, reject) => {
            const json = JSON.stringify(alertPayload(a));
            const child = spawn(o.command, {
              shell: true,
              stdio: ['pipe', 'ignore', 'pipe'],
              env: {
                ...process.env,
                GAPCTL_ALERT_JSON: json,
                GAPCTL_ALERT_SEVERITY: a.severity,
                GAPCTL_ALERT_KIND: a.kind,
                GAPCTL_ALERT_DATE: a.date ?? '',
                GAPCTL_ALERT_MESSAGE: a.message,
              },
            });
            let stderr = '';
            child.stderr?.on('data', (d: Buffer) => {
              if (stderr.length < 500) stderr += d.toString();
            });
            const timer = setTimeout(() => {
              child.kill('SIGKILL');
              reject(new Error(`timed out after ${o.commandTimeoutMs / 1000}s`));
            }, o.commandTimeoutMs);
            child.on('error', (e) => {
              clearTimeout(timer);
              reject(e);
            });
            child.on('close', (code, signal) => {
              clearTimeout(timer);
              if (code === 0) resolve();
              else
                reject(
                  new Error(
                    `exit ${code ?? signal}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`,
                  ),
                );
            });
            child.stdin?.on('error', () => {}); // a command that does not read stdin
            child.stdin?.end(json + '\n');
          }),
      ),
    );
  }

  const lastSent = new Map<string, number>();
  let closed = false;
  const minRank = SEVERITIES.indexOf(o.minSeverity);

  const failed = (s: Sink, e: unknown): void => {
    s.stats.failed++;
    if (s.down) return;
    s.down = true;
    const message = `alert sink ${s.name} failed: ${errorLine(e)}; further failures are counted, not reported, until it works again`;
    log(`[alerts] ${message}`);
    try {
      o.onSinkFailure?.(s.name, `${SINK_FAILED_KIND}${s.name}`, clean(message));
    } catch {
      // reporting a failure must not fail
    }
  };
  const succeeded = (s: Sink): void => {
    s.stats.sent++;
    if (s.down) {
      s.down = false;
      log(
        `[alerts] alert sink ${s.name} works again (${s.stats.failed} failed delivery(ies) so far)`,
      );
    }
  };

  const drain = (s: Sink): void => {
    if (s.draining) return;
    s.draining = (async () => {
      // Start on a later turn of the event loop: raise() only queues (no request set-up on its path).
      await new Promise<void>((r) => setImmediate(r));
      while (s.queue.length) {
        const a = s.queue.shift()!;
        s.stats.queued = s.queue.length;
        try {
          await s.deliver(a);
          succeeded(s);
        } catch (e) {
          failed(s, e);
        }
      }
      s.draining = null;
    })();
  };

  return {
    sinks: sinks.map((s) => s.name),
    raise(a) {
      try {
        if (closed || sinks.length === 0) return;
        if (SEVERITIES.indexOf(a.severity) < minRank) return;
        const key = `${a.kind}\u0000${a.date ?? ''}\u0000${a.message}`;
        const t = now();
        const prev = lastSent.get(key);
        if (prev !== undefined && t - prev < o.dedupWindowMs) return;
        lastSent.set(key, t);
        if (lastSent.size > 1000)
          for (const [k, v] of lastSent) if (t - v >= o.dedupWindowMs) lastSent.delete(k);
        for (const s of sinks) {
          // A sink's own failure report is not sent back to it.
          if (a.kind === `${SINK_FAILED_KIND}${s.name}`) continue;
          if (!s.bucket.take()) {
            s.stats.rateLimited++;
            if (s.limitedSinceLog++ === 0)
              log(
                `[alerts] alert sink ${s.name}: rate limit of ${o.ratePerMin}/min reached, alerts dropped (counted)`,
              );
            continue;
          }
          s.limitedSinceLog = 0;
          if (s.name === 'jsonl') {
            try {
              s.deliver(a);
              succeeded(s);
            } catch (e) {
              failed(s, e);
            }
            continue;
          }
          if (s.queue.length >= SINK_QUEUE_MAX) {
            s.queue.shift();
            if (s.stats.overflow++ === 0)
              log(
                `[alerts] alert sink ${s.name}: queue full (${SINK_QUEUE_MAX}), oldest alerts dropped (counted)`,
              );
          }
          s.queue.push(a);
          s.stats.queued = s.queue.length;
          drain(s);
        }
      } catch (e) {
        log(`[alerts] dispatch failed: ${errorLine(e)}`);
      }
    },
    async flush(ms = 3000) {
      const all = Promise.all(
        sinks.map(async (s) => {
          while (s.draining) await s.draining;
        }),
      ).then(() => true);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), ms);
        timer.unref();
      });
      const r = await Promise.race([all, timeout]);
      clearTimeout(timer);
      return r;
    },
    async close(ms = 3000) {
      const drained = await this.flush(ms);
      closed = true;
      const left = sinks.reduce((n, s) => n + s.queue.length + (s.draining ? 1 : 0), 0);
      if (!drained && left)
        log(`[alerts] closing with ${left} alert(s) not delivered (sinks still failing or slow)`);
    },
    stats() {
      const out: Partial<Record<SinkName, SinkStats>> = {};
      for (const s of sinks) out[s.name] = { ...s.stats };
      return out;
    },
  };
}
