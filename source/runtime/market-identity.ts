/**
 * The identity of a `--market` (docs/domain.md section 15) and the check every command that opens a store
 * with a market makes before it writes anything: the store must hold that market for the days the
 * command touches (store/market-identity.ts records and compares; this module computes the identity
 * from the market spec, the replay manifest and the configuration).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { MANIFEST_FILE } from '../market/replay/format.js';
import { Store } from '../store/store.js';
import {
  ensureMarket,
  type EnsureMarketResult,
  type MarketIdentity,
} from '../store/market-identity.js';
import { redact } from '../util/redact.js';
export { readStoreRef } from '../store/market-identity.js';
import { errorLine } from '../util/errors.js';
import type { MarketSpec } from './session.js';

/** SIM_PM_FADES's default: a sim market with it is named `sim:<seed>` alone. */
const DEFAULT_PM_FADES = 'blocks';

/** A base URL as recorded: no credentials, no query string (never an apiKey), no trailing slash. */
function baseUrl(u: string): string {
  try {
    const url = new URL(u);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return redact(u);
  }
}

/**
 * The identity of a market: replay by its dataset name and the SHA-256 of its manifest.json (where
 * the dataset lives does not matter), sim by its seed (and SIM_PM_FADES when not the default), live
 * by the Polygon, Theta v3 and Theta v1 base URLs (POLYGON_BASE_URL, THETA_V3_URL, THETA_V1_URL).
 * @throws Error (one line) when a replay dataset has no readable manifest.json.
 */
export function marketIdentity(
  spec: MarketSpec,
  cfg: Pick<Config, 'SIM_PM_FADES' | 'POLYGON_BASE_URL' | 'THETA_V3_URL' | 'THETA_V1_URL'>,
): MarketIdentity {
  if (spec.kind === 'sim') {
    const fades = cfg.SIM_PM_FADES;
    return {
      kind: 'sim',
      key: `sim:${spec.seed}${fades === DEFAULT_PM_FADES ? '' : `/pm_fades=${fades}`}`,
      detail: { seed: spec.seed, pm_fades: fades },
    };
  }
  if (spec.kind === 'live') {
    const polygon = baseUrl(cfg.POLYGON_BASE_URL);
    const v3 = baseUrl(cfg.THETA_V3_URL);
    const v1 = baseUrl(cfg.THETA_V1_URL);
    return {
      kind: 'live',
      key: `live(polygon ${polygon}, theta v3 ${v3}, v1 ${v1})`,
      detail: { polygon, theta_v3: v3, theta_v1: v1 },
    };
  }
  const file = join(spec.path, MANIFEST_FILE);
  if (!existsSync(file))
    throw new Error(
      `replay dataset ${spec.path}: no ${MANIFEST_FILE} (is it a replay dataset folder?)`,
    );
  let bytes: Buffer;
  let name: string;
  try {
    bytes = readFileSync(file);
    const parsed = JSON.parse(bytes.toString('utf8')) as { name?: unknown };
    if (typeof parsed.name !== 'string' || !parsed.name) throw new Error('no dataset name');
    name = parsed.name;
  } catch (e) {
    throw new Error(
      `replay dataset ${spec.path}: ${MANIFEST_FILE} is unreadable (${errorLine(e)})`,
      {
        cause: e,
      },
    );
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  return {
    kind: 'replay',
    key: `replay:${name}@${sha.slice(0, 12)}`,
    detail: { dataset: name, manifest_sha256: sha, path: spec.path },
  };
}

/** Options of {@link ensureStoreMarket}. Dates `YYYY-MM-DD`. */
export interface EnsureStoreMarketOptions {
  cfg: Config;
  market: MarketSpec;
  dbPath: string;
  /** The first and last day the command scans or validates. */
  start: string;
  end: string;
  /** --switch-market: record an intended switch to this market from `start` on. */
  switchMarket?: boolean;
  /** Check only, write nothing (dry run); a store that does not exist yet passes. */
  checkOnly?: boolean;
  /** Where the one line about a recorded market goes (created, adopted, switched). */
  log?: (line: string) => void;
}

/**
 * Opens the store (creating and migrating it unless `checkOnly`), checks that it holds `market`
 * for start..end, records the market when the store has none or a switch is asked for, closes it.
 * @throws MarketMismatchError (a StoreError; one line naming both markets) when the store holds
 * another market for a day of the range; nothing is written. StoreError when the store cannot be
 * opened; Error for a replay dataset without a manifest.
 */
export function ensureStoreMarket(o: EnsureStoreMarketOptions): EnsureMarketResult {
  const identity = marketIdentity(o.market, o.cfg);
  if (o.checkOnly && !existsSync(o.dbPath)) return { action: 'created', message: null };
  const store = Store.open(o.dbPath, o.checkOnly ? { readonly: true } : undefined);
  try {
    const r = ensureMarket(store.db, o.dbPath, identity, o.start, o.end, {
      switchMarket: o.switchMarket,
      checkOnly: o.checkOnly,
    });
    if (r.message && !o.checkOnly) o.log?.(r.message);
    return r;
  } finally {
    store.close();
  }
}
