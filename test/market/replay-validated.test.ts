/**
 * Issue 11 point 5: the engine worker does not validate again the replay premarket rows that the
 * command's main thread validated a moment before (openReplay's `premarketValidated`, passed as
 * BackfillJob.replayPremarketSha256). The skip is bound to the bytes: it applies only when the
 * manifest lists exactly the given SHA-256 for the premarket file, whose bytes openReplay checks
 * against the manifest as always; a tampered file is refused whatever the option says, and the
 * dataset opened with the skip serves the same premarket data as one opened without it.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { openReplay, PREMARKET_FILE } from '../../source/market/replay/index.js';
import { tempDir } from '../helpers/paths.js';
import { smallSample } from '../helpers/small-sample.js';

interface Manifest {
  files: Record<string, { bytes: number; sha256: string }>;
}

/** A private copy of the small sample (no filler). */
function copySample(): string {
  const dir = join(tempDir(), 'ds');
  cpSync(smallSample({ fillerEvery: 0 }), dir, { recursive: true });
  return dir;
}

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

/** Rewrites the premarket rows and, with `relist`, the manifest's size and SHA-256 of the file. */
function rewritePremarket(dir: string, edit: (rows: unknown[]) => void, relist: boolean): string {
  const path = join(dir, PREMARKET_FILE);
  const rows = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as unknown[];
  edit(rows);
  const buf = gzipSync(JSON.stringify(rows));
  writeFileSync(path, buf);
  const sha = createHash('sha256').update(buf).digest('hex');
  if (relist) {
    const m = manifestOf(dir);
    m.files[PREMARKET_FILE] = { bytes: buf.length, sha256: sha };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  }
  return sha;
}

describe('openReplay with premarket rows already validated', () => {
  it('serves the same premarket data with or without the skip', async () => {
    const dir = copySample();
    const sha = manifestOf(dir).files[PREMARKET_FILE]!.sha256;
    const checked = await openReplay(dir);
    const skipped = await openReplay(dir, { premarketValidated: sha });
    expect(skipped.premarketSpan).toEqual(checked.premarketSpan);
    const rows = JSON.parse(
      gunzipSync(readFileSync(join(dir, PREMARKET_FILE))).toString('utf8'),
    ) as { date: string; ticker: string }[];
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      expect(await skipped.minuteBars(r.ticker, r.date)).toEqual(
        await checked.minuteBars(r.ticker, r.date),
      );
      expect(await skipped.trades(r.ticker, r.date)).toEqual(
        await checked.trades(r.ticker, r.date),
      );
    }
  });

  it('skips the schema check only for the manifest-listed SHA-256 it was given', async () => {
    const dir = copySample();
    // Rows that break the schema (a ticker that is a number), listed in the manifest with their hash:
    // only the schema check can refuse them.
    const sha = rewritePremarket(
      dir,
      (rows) => {
        (rows[0] as { ticker: unknown }).ticker = 42;
      },
      true,
    );
    await expect(openReplay(dir)).rejects.toThrow(/premarket\.json\.gz is corrupt: 0\.ticker/);
    await expect(openReplay(dir, { premarketValidated: 'f'.repeat(64) })).rejects.toThrow(
      /premarket\.json\.gz is corrupt: 0\.ticker/,
    );
    // The hash of exactly these bytes: taken as validated (the main thread validated them).
    await expect(openReplay(dir, { premarketValidated: sha })).resolves.toBeTruthy();
  });

  it('refuses tampered bytes whatever hash it is given', async () => {
    const dir = copySample();
    const listed = manifestOf(dir).files[PREMARKET_FILE]!.sha256;
    const sha = rewritePremarket(dir, (rows) => rows.pop(), false);
    for (const given of [listed, sha])
      await expect(openReplay(dir, { premarketValidated: given })).rejects.toThrow(
        /premarket\.json\.gz is corrupt \(SHA-256 differs from the manifest\)/,
      );
  });
});
