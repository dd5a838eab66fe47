/**
 * Regenerates the bundled real sample db/market/2018q1 from the read-only real data next to the
 * repository (`../shared/data`, see db/market/README.md):
 *
 *     npx tsc -p tsconfig.build.json && node dist/market/replay/build-sample.js
 *
 * The importer is deterministic, so a rerun reproduces the committed files byte for byte.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importReplay, type ImportSummary } from './importer.js';
import { DEFAULT_REPLAY_NAME, findRepoRoot } from './index.js';
import { errorLine } from '../../util/errors.js';

/** Span of the bundled sample: the overlap of the stooq days and the premarket gappers file. */
export const BUNDLED_SAMPLE_SPAN = { start: '2018-01-02', end: '2018-04-10' } as const;

/**
 * Imports the bundled sample into `<repoRoot>/db/market/2018q1` from `<repoRoot>/../shared/data`.
 * @throws Error (one line) when the shared data is missing or malformed (see importReplay).
 */
export async function buildBundledSample(
  repoRoot: string = findRepoRoot(),
): Promise<ImportSummary> {
  const data = path.resolve(repoRoot, '..', 'shared', 'data');
  return importReplay({
    stooqDir: path.join(data, 'stooq-us-daily-2018-2020'),
    premarketCsv: path.join(
      data,
      'polygon-premarket-gappers-2015-2018',
      'gappers_premarket_5min.csv',
    ),
    start: BUNDLED_SAMPLE_SPAN.start,
    end: BUNDLED_SAMPLE_SPAN.end,
    outDir: path.join(repoRoot, 'db', 'market', DEFAULT_REPLAY_NAME),
    name: DEFAULT_REPLAY_NAME,
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildBundledSample().then(
    (s) => {
      const { premarketSkipped, ...rest } = s;
      process.stdout.write(
        `${JSON.stringify({ ...rest, premarketSkipped: premarketSkipped.length }, null, 2)}\n`,
      );
      for (const k of premarketSkipped)
        process.stdout.write(`skipped ${k.date} ${k.ticker}: ${k.reason}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`build-sample: ${errorLine(err)}\n`);
      process.exitCode = 1;
    },
  );
}
