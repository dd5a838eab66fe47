/**
 * Replay market: real recorded data served as a {@link MarketSource}.
 *
 * - {@link openReplay}: open a dataset directory (e.g. the bundled {@link DEFAULT_REPLAY_DIR}).
 * - {@link importReplay}: build a dataset from the stooq daily dump and the Polygon premarket
 *   gappers file (/work/shared/data; see db/market/README.md for the format and the rules).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export {
  openReplay,
  type OpenReplayOptions,
  REPLAY_CTA_EXCHANGE,
  REPLAY_NQB_EXCHANGE,
  type ReplayMarket,
  type ReplayTicker,
} from './loader.js';
export { importReplay, type ImportOptions, type ImportSummary } from './importer.js';
export { PREMARKET_FILE } from './format.js';
export type {
  PremarketBar,
  PremarketEvent,
  PremarketRecord,
  ReplayManifest,
  SkippedRow,
  SkipReason,
} from './format.js';

/**
 * The repository root: the nearest folder above `fromDir` holding a package.json (this module sits
 * in source/market/replay/ when run by vitest and in dist/market/replay/ after tsc; both walk up to
 * the repo). Falls back to three levels up when no package.json is found.
 */
export function findRepoRoot(
  fromDir: string = path.dirname(fileURLToPath(import.meta.url)),
): string {
  let dir = path.resolve(fromDir);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(fromDir, '..', '..', '..');
    dir = up;
  }
}

/** Name of the bundled real sample (2018-01-02 to 2018-04-10). */
export const DEFAULT_REPLAY_NAME = '2018q1';

/** Absolute path of the bundled real sample, `<repo>/db/market/2018q1`. */
export const DEFAULT_REPLAY_DIR: string = path.join(
  findRepoRoot(),
  'db',
  'market',
  DEFAULT_REPLAY_NAME,
);
