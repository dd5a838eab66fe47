/**
 * Micro-benchmark of the ThetaData v3 trade CSV parser (source/providers/theta/parse.ts
 * scanV3Trades, a hot path: every premarket lookup's body goes through it). Builds bodies of
 * 200 and 20,000 prints in the v3 column order (CRLF), parses each repeatedly and prints the CPU
 * time per body (median of 7 rounds; process CPU time, so a busy machine skews it less than wall
 * time) and the rows per second; `quoted` is the same body with its header cells in double quotes,
 * which takes the csv-parse path (a quote-free body is split directly). Run after `npm run build`:
 * `node bench/theta-csv.js`.
 */
import { scanV3Trades as current } from '../dist/providers/theta/parse.js';

const impl = process.argv[2] ? (await import(process.argv[2])).scanV3Trades : current;

const COLUMNS =
  'timestamp,sequence,ext_condition1,ext_condition2,ext_condition3,ext_condition4,condition,size,exchange,price';

/** A v3 body of `n` prints on 2024-01-02 between 04:00 and 09:30 ET. */
function body(n, quoted) {
  const lines = [
    quoted
      ? COLUMNS.split(',')
          .map((c) => `"${c}"`)
          .join(',')
      : COLUMNS,
  ];
  for (let i = 0; i < n; i++) {
    const ms = 14_400_000 + Math.floor((i * 19_800_000) / n);
    const hh = String(Math.floor(ms / 3_600_000)).padStart(2, '0');
    const mm = String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0');
    const ss = String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0');
    const frac = String(ms % 1000).padStart(3, '0');
    const price = (2 + (i % 97) / 100).toFixed(4);
    lines.push(
      `2024-01-02T${hh}:${mm}:${ss}.${frac},${1000 + i},1,255,255,255,${i % 5 === 0 ? 37 : 0},100,57,${price}`,
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** CPU ms per call of `fn`, median of `rounds` rounds of `reps` calls. */
function cpuMsPerCall(fn, reps, rounds = 7) {
  const per = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) fn();
    const d = process.cpuUsage(t0);
    per.push((d.user + d.system) / 1000 / reps);
  }
  per.sort((a, b) => a - b);
  return per[Math.floor(rounds / 2)];
}

for (const [n, reps, quoted] of [
  [200, 2000, false],
  [20_000, 20, false],
  [200, 2000, true],
  [20_000, 20, true],
]) {
  const text = body(n, quoted);
  const check = impl(text, '2024-01-02', 14_400_000, 34_200_000);
  if (check.rows !== n) throw new Error(`bench: parsed ${check.rows} rows of ${n}`);
  for (let i = 0; i < reps; i++) impl(text, '2024-01-02', 14_400_000, 34_200_000); // warm-up
  const ms = cpuMsPerCall(() => impl(text, '2024-01-02', 14_400_000, 34_200_000), reps);
  console.log(
    `scanV3Trades ${n} rows${quoted ? ' quoted' : ''} (${(text.length / 1024).toFixed(0)} KiB): ${ms.toFixed(3)} ms CPU per body, ` +
      `${Math.round(n / ms)}k rows/s`,
  );
}
