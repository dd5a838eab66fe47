/**
 * One set of day statuses and backfill states (source/contracts/states.ts): the named subsets, the
 * two backfill subsets that differ by meaning (ended vs final: HALTED is resumable), each caller's
 * behaviour kept, and no module spelling its own list of them again.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  BACKFILL_STATES,
  backfillEnded,
  DAY_STATUSES,
  ENDED_BACKFILL_STATE_LIST,
  ENDED_BACKFILL_STATES,
  FINAL_BACKFILL_STATES,
  FINISHED_DAY_STATUSES,
} from '../../source/contracts/states.js';
import {
  initialUiState,
  step,
  type StepContext,
  type UiEvent,
  type UiState,
} from '../../source/ui/state.js';
import type { ActionId } from '../../source/ui/keymap.js';
import { makeSnapshot } from '../ui/harness.js';
import { REPO_ROOT } from '../helpers/paths.js';

describe('the state sets', () => {
  it('name every status and state once, and their subsets', () => {
    expect(DAY_STATUSES).toEqual([
      'PENDING',
      'RUNNING',
      'COMPLETE',
      'RETRY_NEEDED',
      'FAILED',
      'INCOMPLETE',
    ]);
    expect(BACKFILL_STATES).toEqual([
      'STARTING',
      'RUNNING',
      'PAUSING',
      'PAUSED',
      'STOPPING',
      'STOPPED',
      'DONE',
      'HALTED',
      'FAILED',
      'FOLLOWING',
    ]);
    expect([...FINISHED_DAY_STATUSES]).toEqual([
      'COMPLETE',
      'RETRY_NEEDED',
      'FAILED',
      'INCOMPLETE',
    ]);
    expect([...ENDED_BACKFILL_STATES]).toEqual([...ENDED_BACKFILL_STATE_LIST]);
    expect([...ENDED_BACKFILL_STATES]).toEqual(['DONE', 'HALTED', 'STOPPED', 'FAILED']);
    expect([...FINAL_BACKFILL_STATES]).toEqual(['DONE', 'STOPPED', 'FAILED']);
    // FINAL is ENDED without HALTED (a halted run resumes with r).
    expect([...ENDED_BACKFILL_STATES].filter((s) => !FINAL_BACKFILL_STATES.has(s))).toEqual([
      'HALTED',
    ]);
    expect(BACKFILL_STATES.filter(backfillEnded)).toEqual(['STOPPED', 'DONE', 'HALTED', 'FAILED']);
  });
});

describe('the console keeps each caller’s behaviour', () => {
  const ctx: StepContext = { readOnly: false, logPage: 10, tooSmall: false, logMode: 'read' };
  function run(events: UiEvent[]): { s: UiState; quits: string[] } {
    let s = initialUiState();
    const quits: string[] = [];
    for (const e of events) {
      const r = step(s, e, ctx);
      s = r.state;
      if (r.quit) quits.push(r.quit);
    }
    return { s, quits };
  }
  const key = (action: ActionId): UiEvent => ({ type: 'key', action });
  const snap = (over = {}): UiEvent => ({ type: 'snapshot', snapshot: makeSnapshot(over) });

  it('q on a HALTED run still asks (stop or detach); on DONE, STOPPED and FAILED it quits at once', () => {
    expect(run([snap({ state: 'HALTED', current: null }), key('quit')]).s.prompt?.kind).toBe(
      'quit',
    );
    for (const state of ['DONE', 'STOPPED', 'FAILED']) {
      expect(run([snap({ state, current: null }), key('quit')]).quits).toEqual(['stop']);
    }
  });

  it('pause and stop have nothing to act on in every ended state, HALTED included', () => {
    for (const state of ENDED_BACKFILL_STATE_LIST) {
      expect(run([snap({ state, current: null, activity: null }), key('pause')]).s.flash).toBe(
        `nothing to pause: the backfill is ${state}`,
      );
      expect(run([snap({ state, current: null, activity: null }), key('stop')]).s.flash).toBe(
        `nothing to stop: the backfill is ${state}`,
      );
    }
  });
});

describe('no module spells its own state list', () => {
  function files(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
    });
  }
  const LISTS: [string, RegExp][] = [
    ['ended backfill states', /'DONE',\s*'HALTED',\s*'STOPPED',\s*'FAILED'/],
    ['final backfill states', /new Set\(\[\s*'DONE',\s*'STOPPED',\s*'FAILED'\s*\]\)/],
    ['finished day statuses', /'COMPLETE',\s*'RETRY_NEEDED',\s*'FAILED',\s*'INCOMPLETE'\s*\]/],
    ['inline ended check', /=== 'DONE' \|\| \w+(\.\w+)* === 'HALTED'/],
  ];
  it('only source/contracts/states.ts lists them', () => {
    const bad: string[] = [];
    for (const f of files(join(REPO_ROOT, 'source'))) {
      const rel = relative(REPO_ROOT, f);
      if (rel === join('source', 'contracts', 'states.ts')) continue;
      const text = readFileSync(f, 'utf8');
      for (const [what, re] of LISTS) if (re.test(text)) bad.push(`${rel}: ${what}`);
    }
    expect(bad).toEqual([]);
  });
});
