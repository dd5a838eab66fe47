/**
 * Vitest global setup (runs once per `vitest run`, before any test file):
 *
 * 1. `dist/` is never stale: tests that spawn `dist/cli.js` run what `source/` says now. A SHA-256
 *    over every file of `source/`, the tsconfig files and package.json is compared with the one
 *    recorded in `dist/.source-hash` by the last build made here; when they differ (or `dist/` is
 *    missing, as on a fresh clone) `tsc -p tsconfig.build.json` runs first (about 7 s), and a
 *    failed build fails the run with tsc's output.
 * 2. A private temporary folder per run: TMPDIR points at a fresh folder (on /dev/shm when it is
 *    writable, so SQLite's and the atomic writers' fsyncs cost nothing; else the OS temp folder),
 *    inherited by every test worker and every child process; it is removed when the run ends.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './helpers/paths.js';

const HASH_FILE = join(REPO_ROOT, 'dist', '.source-hash');

/** SHA-256 (hex) of every file under source/ plus the build inputs, in path order. */
export function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(REPO_ROOT, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(join(REPO_ROOT, 'source'));
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package.json'])
    h.update(f)
      .update('\0')
      .update(readFileSync(join(REPO_ROOT, f)));
  return h.digest('hex');
}

/** Builds dist/ unless it was built from exactly the current sources. @throws Error with tsc's output when the build fails. */
export function buildIfStale(): void {
  const want = sourceHash();
  const have = existsSync(HASH_FILE) ? readFileSync(HASH_FILE, 'utf8').trim() : '';
  if (have === want && existsSync(join(REPO_ROOT, 'dist', 'cli.js'))) return;
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`global setup: npm run build failed:\n${r.stdout}${r.stderr}`);
  writeFileSync(HASH_FILE, want + '\n');
}

function tempBase(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Vitest entry: see the file comment. Returns the teardown. */
export default async function setup(): Promise<() => void> {
  buildIfStale();
  const root = mkdtempSync(join(tempBase(), 'gapctl-vitest-'));
  // Traversable (not listable) by others: test/cli/store-access.test.ts runs gapctl as the user
  // nobody on folders it hands to that user inside this one.
  chmodSync(root, 0o711);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
