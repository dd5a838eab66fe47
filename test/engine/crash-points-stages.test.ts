/**
 * Backfill crash safety, first half: SIGKILL inside each of the ten stages of a day (13 points),
 * then resume; the outcome must equal one clean run's. The points, the runs and the comparison are
 * in test/engine/crash-points.shared.ts (its header says why the 26 points are split over two files).
 */
import { describe, expect, it } from 'vitest';
import { crashPointSuite, KILL_POINTS } from './crash-points.shared.js';

const POINTS = KILL_POINTS.filter((p) => p.startsWith('stage:'));

describe('the split of the kill points', () => {
  it('this file takes the 13 stage points; crash-points-io.test.ts the other 13', () => {
    expect(KILL_POINTS).toHaveLength(26);
    expect(POINTS).toHaveLength(13);
  });
});

crashPointSuite('backfill crash safety: SIGKILL in a day stage (13 points), then resume', POINTS);
