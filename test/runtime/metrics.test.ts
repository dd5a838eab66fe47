/**
 * Prometheus metrics (issue 12.7): the registry fed from snapshots (days by status and proof, hits,
 * day seconds, upstream counters, latency histogram, SLA breaches), and a real scrape over loopback
 * of `gapctl backfill --headless --metrics-port 0` during and after a short replay backfill (of the
 * small sample derived from the bundled one, test/helpers/small-sample.ts: what is scraped does not
 * depend on the number of tickers). The usage errors of --metrics-port call the CLI's main in this
 * process (their subject is the message and the exit code).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';
import { createMetricsRegistry, startMetricsServer } from '../../source/runtime/metrics.js';
import { initialSnapshot } from '../../source/runtime/snapshot.js';
import type { BackfillSnapshot } from '../../source/contracts/events.js';
import type { UpstreamMetrics } from '../../source/providers/types.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { runEnv } from '../helpers/outcome.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';
import { smallSample } from '../helpers/small-sample.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The value of one sample line `name{labels} value` (labels in the order prom-client writes them), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function upstream(
  name: UpstreamMetrics['upstream'],
  requests: number,
  errors: number,
): UpstreamMetrics {
  return {
    upstream: name,
    inFlight: 2,
    cap: 4,
    queued: 1,
    requests,
    errors,
    counts: {
      s200: requests - errors,
      s204: 0,
      s472: 0,
      s429: errors,
      s5xx: 0,
      timeouts: 0,
      other: 0,
    },
    p50Ms: 10,
    p95Ms: 20,
    backingOff: false,
    latency: {
      boundsMs: [10, 100],
      counts: [requests - 1, 1, 0],
      sumMs: 5 * requests + 50,
      count: requests,
    },
  };
}

describe('metrics registry fed from snapshots', () => {
  it('exports days by status and proof, hits, day seconds, upstream counters and latency, SLA breaches', async () => {
    const { registry, observe } = createMetricsRegistry({
      slaMaxProcessingSec: 60,
      defaultMetrics: false,
    });
    const base = initialSnapshot({
      command: 'backfill',
      start: '2018-01-03',
      end: '2018-01-08',
      market: 'replay',
      db: 'x',
    });
    const s1: BackfillSnapshot = {
      ...base,
      at: Date.parse('2026-01-01T00:00:10Z'),
      state: 'RUNNING',
      days: [
        {
          date: '2018-01-03',
          status: 'COMPLETE',
          hits: 3,
          baselineOnly: 0,
          durationMs: 2_000,
          validated: true,
        },
        { date: '2018-01-04', status: 'COMPLETE', hits: 1, baselineOnly: 0, durationMs: 90_000 },
        { date: '2018-01-05', status: 'RUNNING', hits: 0, baselineOnly: 0 },
        { date: '2018-01-08', status: 'PENDING', hits: 0, baselineOnly: 0 },
      ],
      hits: { r1: 1, r2: 2, r3: 3, r4: 0 },
      polygon: upstream('polygon', 10, 1),
      theta: [upstream('theta_v3', 100, 5)],
      alerts: [
        {
          id: 7,
          at: '2026-01-01T00:00:00Z',
          severity: 'WARNING',
          kind: 'SLA',
          date: '2018-01-04',
          message: 'over 60 s',
          acknowledged: false,
        },
      ],
    };
    observe(s1);
    // The next snapshot: the same totals grow, the same day and alert are not counted twice.
    observe({ ...s1, polygon: upstream('polygon', 15, 1) });
    const text = await registry.metrics();
    expect(sample(text, 'gapctl_days', 'status="COMPLETE"')).toBe(2);
    expect(sample(text, 'gapctl_days', 'status="RUNNING"')).toBe(1);
    expect(sample(text, 'gapctl_days', 'status="PENDING"')).toBe(1);
    expect(sample(text, 'gapctl_days_proof', 'proof="baseline"')).toBe(1);
    expect(sample(text, 'gapctl_days_proof', 'proof="sampled"')).toBe(1);
    expect(sample(text, 'gapctl_hits', 'rule="R3"')).toBe(3);
    expect(sample(text, 'gapctl_day_processing_seconds_count')).toBe(2);
    expect(sample(text, 'gapctl_day_processing_seconds_sum')).toBe(92);
    expect(sample(text, 'gapctl_day_processing_seconds_bucket', 'le="2"')).toBe(1);
    expect(sample(text, 'gapctl_upstream_requests_total', 'upstream="polygon",status="200"')).toBe(
      14,
    );
    expect(sample(text, 'gapctl_upstream_requests_total', 'upstream="theta_v3",status="429"')).toBe(
      5,
    );
    expect(sample(text, 'gapctl_upstream_errors_total', 'upstream="polygon"')).toBe(1);
    expect(sample(text, 'gapctl_upstream_error_ratio', 'upstream="theta_v3"')).toBe(0.05);
    expect(sample(text, 'gapctl_upstream_in_flight', 'upstream="theta_v3"')).toBe(2);
    expect(
      sample(text, 'gapctl_upstream_latency_seconds_bucket', 'le="0.01",upstream="theta_v3"'),
    ).toBe(99);
    expect(
      sample(text, 'gapctl_upstream_latency_seconds_bucket', 'le="+Inf",upstream="theta_v3"'),
    ).toBe(100);
    expect(sample(text, 'gapctl_upstream_latency_seconds_count', 'upstream="polygon"')).toBe(15);
    // One day over 60 s and one SLA alert.
    expect(sample(text, 'gapctl_sla_breaches_total')).toBe(2);
    expect(sample(text, 'gapctl_backfill_state', 'state="RUNNING"')).toBe(1);
    expect(sample(text, 'gapctl_alerts_open', 'severity="WARNING"')).toBe(1);
    expect(sample(text, 'gapctl_last_completed_day_timestamp_seconds')).toBe(
      Date.parse('2026-01-01T00:00:10Z') / 1000,
    );
    expect(sample(text, 'gapctl_last_completed_trading_day_seconds')).toBe(
      Date.parse('2018-01-04T00:00:00Z') / 1000,
    );
    // A follow run waiting for its next day is FOLLOWING, not "no state at all".
    // The stored proof counts: an exhaustive day is proven by itself, without a validation.
    const days = s1.days.map((d) =>
      d.date === '2018-01-04' ? { ...d, proof: 'exhaustive' as const } : d,
    );
    observe({ ...s1, days, state: 'FOLLOWING', polygon: upstream('polygon', 15, 1) });
    const following = await registry.metrics();
    expect(sample(following, 'gapctl_days_proof', 'proof="exhaustive"')).toBe(1);
    expect(sample(following, 'gapctl_days_proof', 'proof="baseline"')).toBe(1);
    expect(sample(following, 'gapctl_days_proof', 'proof="sampled"')).toBe(0);
    expect(sample(following, 'gapctl_backfill_state', 'state="FOLLOWING"')).toBe(1);
    expect(sample(following, 'gapctl_backfill_state', 'state="RUNNING"')).toBe(0);
  });

  it('binds 127.0.0.1 by default, reports the bound port for port 0, answers 404 off /metrics', async () => {
    const m = await startMetricsServer({ port: 0 });
    try {
      expect(m.port).toBeGreaterThan(0);
      expect(m.url).toBe(`http://127.0.0.1:${m.port}/metrics`);
      const ok = await request(m.url);
      expect(ok.statusCode).toBe(200);
      expect(await ok.body.text()).toContain('gapctl_process_cpu_seconds_total');
      const nf = await request(`http://127.0.0.1:${m.port}/other`);
      expect(nf.statusCode).toBe(404);
      await nf.body.dump();
      await expect(startMetricsServer({ port: m.port })).rejects.toThrow(
        /--metrics-port \d+ on 127\.0\.0\.1: cannot listen \(EADDRINUSE\)/,
      );
    } finally {
      await m.close();
    }
  });
});

describe('gapctl backfill --metrics-port', () => {
  it('refuses a bad port in one line with exit 2', async () => {
    const { env } = runEnv(tempDir());
    const r = await gapctlInProcess(
      [
        'backfill',
        '--market',
        'sim:1',
        '--start',
        '2024-01-02',
        '--end',
        '2024-01-03',
        '--metrics-port',
        '70000',
      ],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('gapctl: --metrics-port takes a port number 0-65535 (0: a free one)');
  });

  it('belongs to the runner, not to an attached console (exit 2, one line)', async () => {
    const { env } = runEnv(tempDir());
    const r = await gapctlInProcess(['console', '--attach', '--metrics-port', '9464'], { env });
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(
      'gapctl: --attach takes no backfill options (--metrics-port): the headless runner has its own',
    );
  });

  it('serves a real scrape over loopback during and after a headless replay backfill', async () => {
    const { env } = runEnv(tempDir());
    const child = spawn(
      process.execPath,
      [
        CLI,
        'backfill',
        '--headless',
        '--keep-open',
        '--market',
        `replay:${smallSample()}`,
        '--start',
        '2018-01-03',
        '--end',
        '2018-01-03',
        '--validate',
        'none',
        '--metrics-port',
        '0',
      ],
      { cwd: REPO_ROOT, env },
    );
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // The bound port is printed at start.
    const url = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = /metrics: serving (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(out);
        if (m) resolve(m[1]!);
      };
      child.stdout!.on('data', check);
      child.on('exit', () => reject(new Error(`exited before serving metrics: ${out}`)));
      check();
    });
    const scrape = async () => {
      const r = await request(url);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toContain('text/plain');
      return r.body.text();
    };
    const during = await scrape();
    expect(during).toContain('gapctl_process_resident_memory_bytes');
    expect(during).toContain('# TYPE gapctl_day_processing_seconds histogram');
    // Poll (bounded) until the backfill is DONE; the runner stays up (--keep-open).
    let text = '';
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      text = await scrape();
      if (sample(text, 'gapctl_backfill_state', 'state="DONE"') === 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(sample(text, 'gapctl_backfill_state', 'state="DONE"'), out).toBe(1);
    expect(sample(text, 'gapctl_days', 'status="COMPLETE"')).toBe(1);
    // Proofs are on by default: the one day is proven by its exhaustive pass (the flat file), not sampled.
    expect(sample(text, 'gapctl_days_proof', 'proof="exhaustive"')).toBe(1);
    expect(sample(text, 'gapctl_days_proof', 'proof="sampled"')).toBe(0);
    expect(sample(text, 'gapctl_day_processing_seconds_count')).toBe(1);
    expect(
      sample(text, 'gapctl_upstream_requests_total', 'upstream="polygon",status="200"'),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'gapctl_upstream_latency_seconds_count', 'upstream="theta_v3"'),
    ).toBeGreaterThan(0);
    expect(sample(text, 'gapctl_baseline_only_hits')).toBe(0);
    expect(sample(text, 'gapctl_last_completed_trading_day_seconds')).toBe(
      Date.parse('2018-01-03T00:00:00Z') / 1000,
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
