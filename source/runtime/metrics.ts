/**
 * Prometheus metrics (issue 12.7) for `--metrics-port N` on backfill, console and headless: an
 * HTTP server (node:http, bound to 127.0.0.1 unless `--metrics-host` says otherwise; port 0 picks a
 * free one) serving `GET /metrics` in the Prometheus text format through prom-client, fed from the
 * engine's snapshots on the main thread (the worker posts one every 150 ms; nothing here touches
 * the engine or the store). Metric names, all prefixed `gapctl_`:
 *
 * - `days{status}`: the range's days by status (COMPLETE, RUNNING, PENDING, FAILED, ...);
 *   `days_proof{proof}`: COMPLETE days by their stored proof (docs/domain.md section 14):
 *   `exhaustive`, `baseline` (or validated against the baseline in this run) or `sampled` (the
 *   rule-of-three audit sample only, or a proof not known: never counted as proven);
 * - `hits{rule}`: hits per rule over the range; `baseline_only_hits`: baseline-only hits found;
 * - `day_processing_seconds`: histogram of each finished day's wall time;
 * - `upstream_in_flight{upstream}`, `upstream_queued{upstream}`, `upstream_cap{upstream}`,
 *   `upstream_requests_total{upstream,status}` (200, 204, 472, 429, 5xx, timeout, other),
 *   `upstream_errors_total{upstream}`, `upstream_error_ratio{upstream}` (errors / requests),
 *   `upstream_latency_seconds{upstream}` (histogram of every reply's latency);
 * - `commands_queued`, `backfill_state{state}` (1 for the current state), `alerts_open{severity}`;
 * - `sla_breaches_total`: days over SLA_MAX_PROCESSING_SEC seen in this run plus SLA alerts;
 * - `last_completed_day_timestamp_seconds` (when the last day finished, UTC epoch seconds) and
 *   `last_completed_trading_day_seconds` (that trading day, 00:00 UTC);
 * - prom-client's default process metrics (`gapctl_process_*`, `gapctl_nodejs_*`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Counter, Registry } from 'prom-client';
import type { BackfillSnapshot } from '../contracts/events.js';
import { RULES } from '../contracts/rules.js';
import { BACKFILL_STATES, DAY_STATUSES } from '../contracts/states.js';
import type { UpstreamMetrics } from '../contracts/upstream.js';

/** Bucket bounds of `gapctl_day_processing_seconds` (the runbook's SLA is 900 s). */
export const DAY_SECONDS_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600];
/** Status labels of `gapctl_upstream_requests_total`, from {@link UpstreamMetrics.counts}. */
const STATUS_LABELS: [keyof UpstreamMetrics['counts'], string][] = [
  ['s200', '200'],
  ['s204', '204'],
  ['s472', '472'],
  ['s429', '429'],
  ['s5xx', '5xx'],
  ['timeouts', 'timeout'],
  ['other', 'other'],
];
const DAY_STATUS_LABELS = [...DAY_STATUSES, 'SKIPPED'] as const;
/** Every backfill state, FOLLOWING included (the one list in contracts/states.ts). */
const STATES = BACKFILL_STATES;

/**
 * `gapctl_upstream_latency_seconds`: a histogram whose buckets are copied from the providers'
 * cumulative latency histogram ({@link UpstreamMetrics.latency}) rather than observed here, since
 * the replies happen in the worker thread. A prom-client metric object (name, help, type, get()).
 */
class UpstreamLatency {
  readonly name = 'gapctl_upstream_latency_seconds';
  readonly help =
    'Latency of every upstream reply since start, seconds (from the provider clients).';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly byUpstream = new Map<string, NonNullable<UpstreamMetrics['latency']>>();
  set(upstream: string, h: NonNullable<UpstreamMetrics['latency']>): void {
    this.byUpstream.set(upstream, h);
  }
  get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] =
      [];
    for (const [upstream, h] of this.byUpstream) {
      let cum = 0;
      h.boundsMs.forEach((b, i) => {
        cum += h.counts[i] ?? 0;
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { le: b / 1000, upstream },
          value: cum,
        });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { le: '+Inf', upstream },
        value: h.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: { upstream }, value: h.sumMs / 1000 });
      values.push({ metricName: `${this.name}_count`, labels: { upstream }, value: h.count });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }
  reset(): void {
    this.byUpstream.clear();
  }
}

/** Options of {@link startMetricsServer}. */
export interface MetricsOptions {
  /** TCP port; 0 picks a free one (see {@link MetricsServer.port}). */
  port: number;
  /** Address to bind (default 127.0.0.1: only this machine can scrape). */
  host?: string;
  /** A day over this many seconds counts as an SLA breach (SLA_MAX_PROCESSING_SEC; default 900). */
  slaMaxProcessingSec?: number;
  /** Collect prom-client's default process metrics (default true). */
  defaultMetrics?: boolean;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  readonly host: string;
  /** `http://HOST:PORT/metrics` */
  readonly url: string;
  readonly registry: Registry;
  /** Feeds one engine snapshot (cheap; call on every snapshot). */
  observe(s: BackfillSnapshot): void;
  /** Subscribes to a snapshot source (an EngineHost); returns unsubscribe. */
  attach(source: {
    subscribe(l: (s: BackfillSnapshot) => void): () => void;
    current(): BackfillSnapshot | null;
  }): () => void;
  /** Stops listening (open scrapes are cut). */
  close(): Promise<void>;
}

/**
 * The registry and the snapshot feed, without a server (tests, or another transport).
 * Returns the registry and `observe`.
 */
export function createMetricsRegistry(
  o: Pick<MetricsOptions, 'slaMaxProcessingSec' | 'defaultMetrics'> = {},
): { registry: Registry; observe: (s: BackfillSnapshot) => void } {
  // prom-client (a CommonJS package) is required here, on first use, not imported at the top: the
  // backfill command imports this module, and a backfill without --metrics-port never needs it
  // (about 0.1 s of CPU per process start).
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = createRequire(
    import.meta.url,
  )('prom-client') as typeof import('prom-client');
  const registry = new Registry();
  if (o.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'gapctl_' });
  const slaMs = (o.slaMaxProcessingSec ?? 900) * 1000;
  const reg = [registry];
  const days = new Gauge({
    name: 'gapctl_days',
    help: "The backfill range's trading days by status.",
    labelNames: ['status'],
    registers: reg,
  });
  const proof = new Gauge({
    name: 'gapctl_days_proof',
    help: 'COMPLETE days by stored proof: exhaustive, baseline (or validated in this run) or sampled (audit sample only: unproven).',
    labelNames: ['proof'],
    registers: reg,
  });
  const hits = new Gauge({
    name: 'gapctl_hits',
    help: 'Hits per rule over the range so far (a hit with two rules counts in both).',
    labelNames: ['rule'],
    registers: reg,
  });
  const baselineOnly = new Gauge({
    name: 'gapctl_baseline_only_hits',
    help: 'Baseline-only hits found by validation over the range (must be 0).',
    registers: reg,
  });
  const dayHist = new Histogram({
    name: 'gapctl_day_processing_seconds',
    help: "Wall time of each day's scan finished in this run, seconds.",
    buckets: DAY_SECONDS_BUCKETS,
    registers: reg,
  });
  const inFlight = new Gauge({
    name: 'gapctl_upstream_in_flight',
    help: 'Requests in flight per upstream (polygon, theta_v3, theta_v1).',
    labelNames: ['upstream'],
    registers: reg,
  });
  const queued = new Gauge({
    name: 'gapctl_upstream_queued',
    help: 'Requests waiting for a slot under the upstream cap.',
    labelNames: ['upstream'],
    registers: reg,
  });
  const cap = new Gauge({
    name: 'gapctl_upstream_cap',
    help: 'Concurrency cap per upstream.',
    labelNames: ['upstream'],
    registers: reg,
  });
  const requests = new Counter({
    name: 'gapctl_upstream_requests_total',
    help: 'Upstream attempts by effective status (200, 204, 472, 429, 5xx, timeout, other).',
    labelNames: ['upstream', 'status'],
    registers: reg,
  });
  const errors = new Counter({
    name: 'gapctl_upstream_errors_total',
    help: 'Upstream attempts that failed (not 2xx or 472).',
    labelNames: ['upstream'],
    registers: reg,
  });
  const errorRatio = new Gauge({
    name: 'gapctl_upstream_error_ratio',
    help: 'Upstream errors / requests since start (ratio 0-1; the runbook SLA is 0.05).',
    labelNames: ['upstream'],
    registers: reg,
  });
  const latency = new UpstreamLatency();
  registry.registerMetric(latency as never);
  const commands = new Gauge({
    name: 'gapctl_commands_queued',
    help: 'Console commands waiting for the engine to be idle (rerun, validate, export).',
    registers: reg,
  });
  const state = new Gauge({
    name: 'gapctl_backfill_state',
    help: 'The backfill state (1 for the current one).',
    labelNames: ['state'],
    registers: reg,
  });
  const alertsOpen = new Gauge({
    name: 'gapctl_alerts_open',
    help: 'Unacknowledged alerts by severity.',
    labelNames: ['severity'],
    registers: reg,
  });
  const sla = new Counter({
    name: 'gapctl_sla_breaches_total',
    help: 'SLA breaches seen in this run: days over SLA_MAX_PROCESSING_SEC and SLA alerts.',
    registers: reg,
  });
  const lastDone = new Gauge({
    name: 'gapctl_last_completed_day_timestamp_seconds',
    help: 'When the last day finished COMPLETE in this run, UTC epoch seconds.',
    registers: reg,
  });
  const lastDay = new Gauge({
    name: 'gapctl_last_completed_trading_day_seconds',
    help: 'The latest COMPLETE trading day of the range, its 00:00 UTC as epoch seconds.',
    registers: reg,
  });

  // Monotonic totals from the worker become counter increments; per-day durations are observed once.
  const seenTotals = new Map<string, number>();
  const incTo = (
    c: Counter<string>,
    name: string,
    labels: Record<string, string>,
    total: number,
  ): void => {
    const key = `${name}|${JSON.stringify(labels)}`;
    const prev = seenTotals.get(key) ?? 0;
    // A lower total means a new producer (a fresh session): count it from zero.
    const delta = total >= prev ? total - prev : total;
    if (delta > 0) c.inc(labels, delta);
    seenTotals.set(key, total);
  };
  const seenDays = new Map<string, number>();
  const seenSlaAlerts = new Set<number>();
  let lastCompleteDate: string | null = null;
  for (const st of STATES) state.set({ state: st }, 0);

  const observe = (s: BackfillSnapshot): void => {
    const byStatus = new Map<string, number>(DAY_STATUS_LABELS.map((d) => [d, 0]));
    const byProof = { exhaustive: 0, baseline: 0, sampled: 0 };
    let bo = 0;
    let newest: string | null = null;
    for (const d of s.days) {
      byStatus.set(d.status, (byStatus.get(d.status) ?? 0) + 1);
      bo += d.baselineOnly;
      if (d.status === 'COMPLETE') {
        byProof[
          d.proof === 'exhaustive'
            ? 'exhaustive'
            : d.proof === 'baseline' || d.validated === true
              ? 'baseline'
              : 'sampled'
        ]++;
        if (!newest || d.date > newest) newest = d.date;
      }
      if (d.durationMs !== undefined && seenDays.get(d.date) !== d.durationMs) {
        seenDays.set(d.date, d.durationMs);
        dayHist.observe(d.durationMs / 1000);
        if (d.durationMs > slaMs) sla.inc();
        // A day that finished COMPLETE in this run: it finished about now (the snapshot's time).
        if (d.status === 'COMPLETE') lastDone.set(Math.floor(s.at / 1000));
      }
    }
    for (const [k, v] of byStatus) days.set({ status: k }, v);
    for (const [k, v] of Object.entries(byProof)) proof.set({ proof: k }, v);
    for (const r of RULES) hits.set({ rule: r.short }, s.hits[r.key]);
    baselineOnly.set(bo);
    if (newest && newest !== lastCompleteDate) {
      lastCompleteDate = newest;
      lastDay.set(Date.parse(`${newest}T00:00:00Z`) / 1000);
    }
    for (const m of [...s.theta, ...(s.polygon ? [s.polygon] : [])]) {
      const u = { upstream: m.upstream };
      inFlight.set(u, m.inFlight);
      queued.set(u, m.queued);
      cap.set(u, m.cap);
      for (const [k, label] of STATUS_LABELS)
        incTo(requests, 'requests', { upstream: m.upstream, status: label }, m.counts[k]);
      incTo(errors, 'errors', u, m.errors);
      errorRatio.set(u, m.requests > 0 ? m.errors / m.requests : 0);
      if (m.latency) latency.set(m.upstream, m.latency);
    }
    commands.set(s.queuedCommands ?? 0);
    for (const st of STATES) state.set({ state: st }, st === s.state ? 1 : 0);
    const open = { INFO: 0, WARNING: 0, CRITICAL: 0 };
    for (const a of s.alerts) {
      if (!a.acknowledged) open[a.severity]++;
      if (/^sla/i.test(a.kind) && !seenSlaAlerts.has(a.id)) {
        seenSlaAlerts.add(a.id);
        sla.inc();
      }
    }
    for (const [sev, n] of Object.entries(open)) alertsOpen.set({ severity: sev }, n);
  };
  return { registry, observe };
}

/**
 * Starts the metrics endpoint. `GET /metrics` answers the registry's text; anything else 404.
 * @throws Error (one line) when the port cannot be bound (in use, not allowed).
 */
export async function startMetricsServer(o: MetricsOptions): Promise<MetricsServer> {
  const host = o.host ?? '127.0.0.1';
  const { registry, observe } = createMetricsRegistry(o);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.statusCode = 404;
      res.end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.setHeader('content-type', registry.contentType);
        res.end(text);
      },
      (e: unknown) => {
        res.statusCode = 500;
        res.end(`${(e as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(`--metrics-port ${o.port} on ${host}: cannot listen (${e.code ?? e.message})`),
      ),
    );
    server.listen(o.port, host, () => resolveListen());
  });
  // The endpoint must never keep a finished run alive.
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    port,
    host,
    url: `http://${shownHost}:${port}/metrics`,
    registry,
    observe,
    attach(source) {
      const cur = source.current();
      if (cur) observe(cur);
      return source.subscribe(observe);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
