/** Paths for tests: the repository root and ../shared beside it (read-only, present in CI). */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Absolute path of the repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Absolute path of ../shared/data. */
export const SHARED_DATA = resolve(REPO_ROOT, '../shared/data');
/** Folder of the stooq daily files. */
export const STOOQ_DAYS = resolve(SHARED_DATA, 'stooq-us-daily-2018-2020/days');

/** A fresh temporary folder. */
export function tempDir(prefix = 'gapctl-test-'): string {
  return mkdtempSync(resolve(tmpdir(), prefix));
}

/**
 * Whether ../shared/data is beside the repository (CI and the team's machines). On a fresh clone it
 * is not: tests that need the whole real data set are then skipped, titled with {@link NO_SHARED}.
 */
export const HAVE_SHARED = existsSync(resolve(SHARED_DATA, 'stooq-us-daily-2018-2020/days'));
/** The one-line reason a test needing ../shared/data shows when skipped. */
export const NO_SHARED = '(skipped: ../shared/data is absent; CI runs it)';
