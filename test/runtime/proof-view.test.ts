/**
 * Issue 10 point 1 and 2 behind the console: the engine's proof events reach the snapshot (the
 * running day's proof progress, each day's stored proof from the plan, a skipped day, a finished
 * day, a passed validation); the plain printer prints the proof with each day, progress lines for a
 * slow proof, and an end line that says how many complete days are unproven (and that proofs were
 * off); the day detail reads the stored proof from SQLite.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type {
  BackfillSnapshot,
  EngineEvent,
  ProofProgress,
} from '../../source/contracts/events.js';
import { initialMemo, initialSnapshot, reduce } from '../../source/runtime/snapshot.js';
import {
  createPlainPrinter,
  plainEndLine,
  proofLineThrottle,
  proofProgressLine,
  unprovenSuffix,
} from '../../source/runtime/plain-printer.js';
import { loadDayDetail, proofOf } from '../../source/runtime/day-detail.js';
import { Store } from '../../source/store/store.js';
import { completeness } from '../export/fixtures.js';
import { tempDir } from '../helpers/paths.js';

const META = {
  command: 'backfill',
  start: '2024-01-02',
  end: '2024-01-05',
  market: 'sim:3',
  db: 'x.db',
};
const P: ProofProgress = {
  date: '2024-01-03',
  phase: 'lookups',
  source: 'theta',
  eligible: 4000,
  answered: 3990,
  lookupsDone: 10,
  lookupsTotal: 20,
  unanswered: 0,
  startedAt: 1000,
  at: 3000,
};

function run(events: EngineEvent[], s: BackfillSnapshot = initialSnapshot(META)): BackfillSnapshot {
  const memo = initialMemo();
  for (const e of events) s = reduce(s, e, memo, 0);
  return s;
}

const plan: EngineEvent = {
  type: 'plan',
  start: META.start,
  end: META.end,
  at: 0,
  days: [
    { date: '2024-01-02', status: 'COMPLETE', hits: 1, proof: 'exhaustive' },
    { date: '2024-01-03', status: 'COMPLETE', hits: 0, proof: 'sampled' },
    { date: '2024-01-04', status: 'PENDING', hits: 0 },
    { date: '2024-01-05', status: 'PENDING', hits: 0 },
  ],
};
const zero = { r1: 0, r2: 0, r3: 0, r4: 0 };

describe('snapshot: proofs from the engine events', () => {
  it('the plan carries each stored proof; the running day gets its proof progress; day-end records the proof', () => {
    let s = run([plan, { type: 'day-begin', date: '2024-01-03', mode: 'prefilter', at: 0 }]);
    expect(s.days.map((d) => d.proof)).toEqual(['exhaustive', 'sampled', undefined, undefined]);
    expect(s.current!.proof).toBeNull();
    s = run([{ type: 'proof-progress', ...P }], s);
    expect(s.current!.proof).toEqual(P);
    // an event of another day changes nothing
    expect(run([{ type: 'proof-progress', ...P, date: '2024-01-04' }], s).current!.proof).toEqual(
      P,
    );
    s = run(
      [
        {
          type: 'day-end',
          date: '2024-01-03',
          status: 'COMPLETE',
          hits: zero,
          discoveries: 0,
          durationMs: 5,
          proof: 'exhaustive',
          proofSource: 'theta',
          at: 1,
        },
      ],
      s,
    );
    expect(s.days[1]!.proof).toBe('exhaustive');
  });

  it('a day-end without a proof (an older engine) is unproven, never proven; a skipped day keeps its stored proof', () => {
    const s = run([
      plan,
      {
        type: 'day-end',
        date: '2024-01-04',
        status: 'COMPLETE',
        hits: zero,
        discoveries: 0,
        durationMs: 5,
        at: 1,
      },
      {
        type: 'day-skipped',
        date: '2024-01-05',
        status: 'COMPLETE',
        hits: 0,
        rules: zero,
        proof: 'baseline',
      },
    ]);
    expect(s.days[2]!.proof).toBe('sampled');
    expect(s.days[3]!.proof).toBe('baseline');
  });

  it('a passed validation proves an unproven COMPLETE day by its baseline; a failed one does not', () => {
    const ok = run([
      plan,
      { type: 'validate', date: '2024-01-03', passed: true, baselineOnly: 0, message: 'ok' },
    ]);
    expect(ok.days[1]!.proof).toBe('baseline');
    const bad = run([
      plan,
      {
        type: 'validate',
        date: '2024-01-03',
        passed: false,
        gate: 'BASELINE',
        baselineOnly: 1,
        message: 'x',
      },
    ]);
    expect(bad.days[1]!.proof).toBe('sampled');
    // an exhaustive proof stays exhaustive
    expect(
      run([
        plan,
        { type: 'validate', date: '2024-01-02', passed: true, baselineOnly: 0, message: 'ok' },
      ]).days[0]!.proof,
    ).toBe('exhaustive');
  });
});

describe('plain printer: proofs', () => {
  it('proof progress lines: lookups, flat file, the end (proven or UNPROVEN)', () => {
    expect(proofProgressLine(P)).toBe(
      '2024-01-03 proof theta  symbols 3,990/4,000 answered  lookups 10/20 50%  2.0s',
    );
    expect(proofProgressLine({ ...P, phase: 'flatfile', source: 'flatfile' })).toBe(
      "2024-01-03 proof flatfile  reading the day's file  symbols 3,990/4,000 answered  2.0s",
    );
    expect(
      proofProgressLine({
        ...P,
        phase: 'end',
        source: 'flatfile',
        answered: 4000,
        outcome: 'exhaustive',
        found: 2,
      }),
    ).toBe('2024-01-03 proof exhaustive (flatfile)  symbols 4,000/4,000 answered  found 2  2.0s');
    expect(
      proofProgressLine({
        ...P,
        phase: 'end',
        answered: 3997,
        unanswered: 3,
        outcome: 'sampled',
        found: 0,
      }),
    ).toBe('2024-01-03 proof UNPROVEN  symbols 3,997/4,000 answered  unanswered 3  2.0s');
  });

  it('throttle: a quick proof prints nothing; a slow one prints after everyMs, then every everyMs, and its end', () => {
    const due = proofLineThrottle(5000);
    const q = { ...P, startedAt: 0, at: 100 };
    expect(due(q, 0)).toBe(false);
    expect(due({ ...q, phase: 'end' }, 200)).toBe(false);
    const slow = { ...P, startedAt: 10_000, at: 10_000 };
    expect(due(slow, 10_000)).toBe(false);
    expect(due({ ...slow, at: 14_000 }, 14_000)).toBe(false);
    expect(due({ ...slow, at: 15_000 }, 15_000)).toBe(true);
    expect(due({ ...slow, at: 16_000 }, 16_000)).toBe(false);
    expect(due({ ...slow, at: 20_000 }, 20_000)).toBe(true);
    expect(due({ ...slow, phase: 'end', at: 21_000 }, 21_000)).toBe(true);
    expect(due({ ...slow, phase: 'end', at: 21_000 }, 21_100)).toBe(false);
  });

  it('day lines name the proof; the end line counts unproven complete days and says proofs were off', () => {
    const out: string[] = [];
    let now = 0;
    const p = createPlainPrinter((l) => out.push(l), {
      summaryEverySec: 0,
      proofEveryMs: 1000,
      now: () => now,
    });
    let s = run([plan, { type: 'day-begin', date: '2024-01-04', mode: 'prefilter', at: 0 }]);
    s = { ...s, proofMode: 'off', seq: 1 };
    p.onSnapshot(s);
    s = run([{ type: 'proof-progress', ...P, date: '2024-01-04', startedAt: 0, at: 1500 }], {
      ...s,
      seq: 2,
    });
    now = 1500;
    p.onSnapshot(s);
    expect(out.at(-1)).toBe(
      '2024-01-04 proof theta  symbols 3,990/4,000 answered  lookups 10/20 50%  1.5s',
    );
    s = run(
      [
        {
          type: 'day-end',
          date: '2024-01-04',
          status: 'COMPLETE',
          hits: zero,
          discoveries: 0,
          durationMs: 1600,
          proof: 'sampled',
          proofSource: null,
          at: 2,
        },
      ],
      { ...s, seq: 3 },
    );
    p.onSnapshot(s);
    expect(out.at(-1)).toMatch(
      /^2024-01-04 COMPLETE  hits 0 \(R1 0 R2 0 R3 0 R4 0\)  UNPROVEN \(sampled\)  3\/4 days  1\.6s$/,
    );
    p.onEnd({ ...s, seq: 4, state: 'DONE' });
    expect(out.at(-1)).toBe(
      'end DONE  3/4 days  hits R1 0 R2 0 R3 0 R4 0  UNPROVEN 2 of 3 complete days (proof off: --no-proof or R1_PROOF=off)',
    );
  });

  it('every complete day proven: the end line is as before; JSON lines carry the proof', () => {
    const s = run([
      {
        ...plan,
        days: (plan as Extract<EngineEvent, { type: 'plan' }>).days.map((d) => ({
          ...d,
          status: 'COMPLETE' as const,
          proof: 'exhaustive' as const,
        })),
      },
    ]);
    expect(unprovenSuffix(s)).toBe('');
    expect(plainEndLine({ ...s, state: 'DONE' })).toBe(
      'end DONE  4/4 days  hits R1 0 R2 0 R3 0 R4 0',
    );
    const out: string[] = [];
    const p = createPlainPrinter((l) => out.push(l), { json: true, summaryEverySec: 0 });
    p.onSnapshot({
      ...s,
      current: null,
      days: s.days.map((d, i) => (i === 3 ? { ...d, status: 'RUNNING' as const } : d)),
      seq: 1,
    });
    p.onSnapshot({ ...s, seq: 2 });
    expect(JSON.parse(out[0]!)).toMatchObject({
      type: 'day',
      date: '2024-01-05',
      proof: 'exhaustive',
    });
    p.onEnd({ ...s, seq: 3, state: 'DONE', proofMode: 'auto' });
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ type: 'end', unproven: 0, proofMode: 'auto' });
  });
});

describe('day detail: the stored proof', () => {
  it('reads kind, source, checked, the hits it found and when; a NULL proof reads sampled', () => {
    const dir = tempDir();
    const store = Store.open(join(dir, 's.db'));
    try {
      store.commitDay({
        completeness: completeness('2024-01-03', {
          proof: 'exhaustive',
          proof_source: 'flatfile',
          proof_checked: 4000,
          proof_found: 'ABCD:61.2|WXYZ:55.0',
        }),
        hits: [],
        missAudit: [],
        audit: null,
      });
      store.commitDay({
        completeness: completeness('2024-01-04'),
        hits: [],
        missAudit: [],
        audit: null,
      });
      store.db.prepare("UPDATE day_completeness SET proof = NULL WHERE date = '2024-01-04'").run();
      const d = loadDayDetail(store.db, dir, '2024-01-03');
      expect(d.proof).toMatchObject({
        kind: 'exhaustive',
        source: 'flatfile',
        checked: 4000,
        found: [
          { ticker: 'ABCD', pct: 61.2 },
          { ticker: 'WXYZ', pct: 55 },
        ],
      });
      expect(d.proof!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      // the proof columns are shown as the proof, not among the counters
      expect(d.counters.map((c) => c.name)).not.toContain('proof');
      expect(loadDayDetail(store.db, dir, '2024-01-04').proof).toMatchObject({
        kind: 'sampled',
        source: null,
        found: [],
      });
      expect(loadDayDetail(store.db, dir, '2024-01-05').proof).toBeNull();
    } finally {
      store.close();
    }
    expect(proofOf({ date: 'd', status: 'COMPLETE' })).toBeNull();
  });
});
