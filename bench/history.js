/**
 * Benchmark history: every run of a benchmark appends one JSON line to
 * `bench/results/history.jsonl` (committed, so a regression shows in review) with the commit, the
 * machine (CPU count and model, memory, Node version, load average at the start) and the figures,
 * and prints each numeric figure next to the previous run of the same benchmark and CPU count
 * (relative change in percent). `bench/results/<name>.json` keeps the latest run in full.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench/results');
/** Path of the committed history (one JSON object a line). */
export const HISTORY = join(RESULTS, 'history.jsonl');

/** The commit benchmarked: short hash, with `+dirty` when the work tree has uncommitted changes; null outside git. */
export function commitId() {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd: ROOT,
        encoding: 'utf8',
      }).trim() !== '';
    return dirty ? `${hash}+dirty` : hash;
  } catch {
    return null;
  }
}

/** The machine a run was measured on. */
export function machine() {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Numeric leaves of an object as `a.b.0.c` -> number. */
export function flatten(o, prefix = '', out = {}) {
  if (typeof o === 'number' && Number.isFinite(o)) out[prefix] = o;
  else if (Array.isArray(o))
    o.forEach((v, i) =>
      flatten(v, prefix ? `${prefix}.${v?.mode ?? v?.key ?? i}` : String(i), out),
    );
  else if (o && typeof o === 'object')
    for (const [k, v] of Object.entries(o)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/** The last history entry of benchmark `name` measured with `cpus` CPUs, or null. */
export function previousRun(name, cpuCount, historyPath = HISTORY) {
  if (!existsSync(historyPath)) return null;
  const lines = readFileSync(historyPath, 'utf8').split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const e = JSON.parse(lines[i]);
      if (e.bench === name && e.machine?.cpus === cpuCount) return e;
    } catch {
      // a torn line (a killed run) is skipped
    }
  }
  return null;
}

/** Lines comparing the numeric figures of `now` with `before` (same keys only), e.g. `wallS  17.5 -> 16.9  (-3.4%)`. */
export function changeLines(now, before) {
  const a = flatten(before ?? {});
  const b = flatten(now);
  const out = [];
  for (const [k, v] of Object.entries(b)) {
    if (!(k in a)) continue;
    const was = a[k];
    const pct = was === 0 ? (v === 0 ? 0 : Infinity) : ((v - was) / Math.abs(was)) * 100;
    const mark = Math.abs(pct) >= 10 ? '  <-' : '';
    out.push(
      `  ${k.padEnd(44)} ${String(was).padStart(10)} -> ${String(v).padEnd(10)} (${pct >= 0 ? '+' : ''}${Number.isFinite(pct) ? pct.toFixed(1) : 'inf'}%)${mark}`,
    );
  }
  return out;
}

/**
 * Records one run of benchmark `name`: writes bench/results/<name>.json, prints the change against
 * the previous run of the same benchmark on a machine with as many CPUs, and appends to history.jsonl.
 * Returns the entry.
 */
export function recordRun(name, figures) {
  mkdirSync(RESULTS, { recursive: true });
  const entry = {
    bench: name,
    at: new Date().toISOString(),
    commit: commitId(),
    machine: machine(),
    figures,
  };
  const prev = previousRun(name, entry.machine.cpus);
  writeFileSync(join(RESULTS, `${name}.json`), JSON.stringify(entry, null, 2) + '\n');
  if (prev) {
    console.log(
      `\nchange against the previous ${name} run (${prev.commit ?? '?'} at ${prev.at}, load ${prev.machine.loadavg.join(' ')}; now load ${entry.machine.loadavg.join(' ')}):`,
    );
    for (const l of changeLines(figures, prev.figures)) console.log(l);
  } else
    console.log(
      `\nno previous ${name} run on a ${entry.machine.cpus}-CPU machine in bench/results/history.jsonl`,
    );
  appendFileSync(HISTORY, JSON.stringify(entry) + '\n');
  console.log(`wrote bench/results/${name}.json and appended to bench/results/history.jsonl`);
  return entry;
}
