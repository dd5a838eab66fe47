/**
 * Backfill crash safety, second half: SIGKILL on a provider reply half read, inside a day's commit,
 * a file half renamed, and in the month's export, spot validation, task log and resume pointer
 * (13 points), then resume; the outcome must equal one clean run's. The points, the runs and the
 * comparison are in test/engine/crash-points.shared.ts (its header says why the 26 points are
 * split over two files).
 */
import { describe, expect, it } from 'vitest';
import { crashPointSuite, KILL_POINTS } from './crash-points.shared.js';

const POINTS = KILL_POINTS.filter((p) => !p.startsWith('stage:'));

describe('the split of the kill points', () => {
  it('this file takes the 13 points outside the day stages; crash-points-stages.test.ts the rest', () => {
    expect(KILL_POINTS).toHaveLength(26);
    expect(POINTS).toHaveLength(13);
  });
});

crashPointSuite(
  'backfill crash safety: SIGKILL on a reply, a commit, a file or a month step (13 points), then resume',
  POINTS,
);
