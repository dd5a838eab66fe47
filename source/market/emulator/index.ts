/**
 * The embedded market's HTTP emulator: serves any {@link MarketSource} on five 127.0.0.1 servers
 * (random ports, keep-alive) in the Polygon/Massive REST, ThetaData v3, ThetaData v2 (legacy
 * terminal), FMP and Flat Files (S3, SigV4-signed) wire formats, with a per-terminal concurrency gate, latency and seeded,
 * runtime-switchable faults. The engine reaches it only over HTTP, like the real providers.
 */

import type { Server } from 'node:http';
import type { SplitRecord } from '../types.js';
import { FaultDice } from './faults.js';
import { TerminalGate } from './gate.js';
import { handleFmp } from './fmp.js';
import { startServer, stopServer, type EmulatorState, type SplitIndex } from './http-util.js';
import { handlePolygon, type PolygonStats } from './polygon.js';
import { handleTheta, type TerminalCounters } from './theta.js';
import { handleFlatFiles, type FlatFileState } from './s3.js';
import { randomBytes } from 'node:crypto';
import { isTradingDay } from '../../calendar/index.js';
import type { EmulatorOptions, FaultConfig, RunningEmulator, TerminalStats } from './types.js';

export type { EmulatorOptions, FaultConfig, RunningEmulator, TerminalStats } from './types.js';
export type { FlatFileFaults } from './s3.js';

function checkCount(name: string, v: number | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min)
    throw new Error(`emulator option ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

function checkMs(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < 0)
    throw new Error(`emulator option ${name} must be a number of ms >= 0, got ${v}`);
  return v;
}

/**
 * Starts the emulator. Resolves once the five servers listen.
 * @throws Error with a one-line message on a bad option (caps < 1, queue < 0, negative latency, ...).
 */
export async function startEmulator(opts: EmulatorOptions): Promise<RunningEmulator> {
  const v3Cap = checkCount('thetaV3Cap', opts.thetaV3Cap, 4, 1);
  const v1Cap = checkCount('thetaV1Cap', opts.thetaV1Cap, 4, 1);
  const queue = checkCount('thetaQueue', opts.thetaQueue, 16, 0);
  const pageSize = checkCount('tickersPageSize', opts.tickersPageSize, 1000, 1);
  if (pageSize > 1000)
    throw new Error(`emulator option tickersPageSize must be <= 1000, got ${pageSize}`);
  if (opts.polygonRatePerMin !== undefined)
    checkCount('polygonRatePerMin', opts.polygonRatePerMin, 0, 1);

  let splitIndex: Promise<SplitIndex> | undefined;
  const st: EmulatorState = {
    source: opts.source,
    faults: { ...opts.faults },
    thetaLatencyMs: checkMs('thetaLatencyMs', opts.thetaLatencyMs, 0),
    polygonLatencyMs: checkMs('polygonLatencyMs', opts.polygonLatencyMs, 0),
    polygonApiKey: opts.polygonApiKey || undefined,
    polygonRatePerMin: opts.polygonRatePerMin,
    polygonWindow: [],
    emptyResultsAsNull: opts.emptyResultsAsNull ?? false,
    tickersPageSize: pageSize,
    dice: new FaultDice(opts.seed ?? 1),
    urls: { polygon: '', thetaV3: '', thetaV1: '', fmp: '' },
    splitIndex: () => {
      splitIndex ??= opts.source.splits().then((all) => {
        const map: SplitIndex = new Map();
        for (const s of [...all].sort((a, b) =>
          a.executionDate < b.executionDate ? -1 : a.executionDate > b.executionDate ? 1 : 0,
        )) {
          const list: SplitRecord[] = map.get(s.ticker) ?? [];
          list.push(s);
          map.set(s.ticker, list);
        }
        return map;
      });
      return splitIndex;
    },
  };

  const gates = { v3: new TerminalGate(v3Cap, queue), v1: new TerminalGate(v1Cap, queue) };
  const counters: { v3: TerminalCounters; v1: TerminalCounters } = {
    v3: { requests: 0, byStatus: {} },
    v1: { requests: 0, byStatus: {} },
  };
  const polygonStats: PolygonStats = { requests: 0, byStatus: {} };

  const flat: FlatFileState = {
    source: opts.source,
    accessKey: opts.flatFilesAccessKey ?? `EMU${randomBytes(8).toString('hex').toUpperCase()}`,
    secretKey: opts.flatFilesSecretKey ?? randomBytes(20).toString('base64url'),
    isTradingDay,
    now: opts.now ?? Date.now,
    faults: {},
    served: 0,
    forbidden: () => !!st.faults.flatFilesForbidden,
  };
  let flatUrl: string;

  const servers: Server[] = [];
  try {
    const polygon = await startServer((ctx) => handlePolygon(ctx, st, polygonStats));
    servers.push(polygon.server);
    const v3 = await startServer((ctx) => handleTheta('v3', ctx, st, gates.v3, counters.v3));
    servers.push(v3.server);
    const v1 = await startServer((ctx) => handleTheta('v1', ctx, st, gates.v1, counters.v1));
    servers.push(v1.server);
    const fmp = await startServer((ctx) => handleFmp(ctx, st));
    servers.push(fmp.server);
    const s3 = await startServer((ctx) => handleFlatFiles(ctx, flat));
    servers.push(s3.server);
    flatUrl = s3.url;
    st.urls = { polygon: polygon.url, thetaV3: v3.url, thetaV1: v1.url, fmp: fmp.url };
  } catch (e) {
    await Promise.all(servers.map(stopServer));
    throw e;
  }

  const terminalStats = (id: 'v3' | 'v1'): TerminalStats => ({
    requests: counters[id].requests,
    ...gates[id].counters(),
    byStatus: { ...counters[id].byStatus },
  });

  let closing: Promise<void> | undefined;
  return {
    polygonUrl: st.urls.polygon,
    thetaV3Url: st.urls.thetaV3,
    thetaV1Url: st.urls.thetaV1,
    fmpUrl: st.urls.fmp,
    flatFiles: { url: flatUrl, accessKey: flat.accessKey, secretKey: flat.secretKey },
    setFlatFileFaults(f) {
      flat.faults = { ...f };
    },
    setFaults(f: FaultConfig): void {
      st.faults = { ...f };
    },
    setLatency(l: { thetaMs?: number; polygonMs?: number }): void {
      st.thetaLatencyMs = checkMs('thetaMs', l.thetaMs, st.thetaLatencyMs);
      st.polygonLatencyMs = checkMs('polygonMs', l.polygonMs, st.polygonLatencyMs);
    },
    stats() {
      return {
        theta: { v3: terminalStats('v3'), v1: terminalStats('v1') },
        polygon: { requests: polygonStats.requests, byStatus: { ...polygonStats.byStatus } },
        flatFiles: { served: flat.served },
      };
    },
    close(): Promise<void> {
      closing ??= (async () => {
        gates.v3.abortAll();
        gates.v1.abortAll();
        await Promise.all(servers.map(stopServer));
      })();
      return closing;
    },
  };
}
