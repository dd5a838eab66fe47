/**
 * The R1_HEALTH halt says what the operator does (issue 13, the 518-day real replay halted on
 * 2018-10-18: its dataset has premarket bars only up to 2018-04-10): fix a blind terminal and rerun
 * the day, or, when the market holds no premarket data for the day, resume knowingly with the gate
 * off for that run (`R1_HEALTH_MIN=0 gapctl backfill`).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { writeHelpRequest } from '../../source/engine/backfill.js';
import { tempDir } from '../helpers/paths.js';

describe('HELP_REQUEST.md of an R1_HEALTH halt', () => {
  it('names the two causes and what to do for each', () => {
    const dir = tempDir('gapctl-help-r1-');
    const p = writeHelpRequest(
      dir,
      '2018-10-18 validation failed at gate R1_HEALTH: R1 health 0.000 < 0.15',
      '2018-10-18',
      'R1_HEALTH',
    );
    const text = readFileSync(p, 'utf8');
    expect(text).toContain('pm_diag_2018-10-18.json');
    expect(text).toContain('`gapctl scan-day --date 2018-10-18 --mode exhaustive`');
    expect(text).toMatch(/no premarket data for the day, no rescan can fix it/);
    expect(text).toContain('`R1_HEALTH_MIN=0 gapctl backfill`');
    // Other gates keep the generic remedy.
    expect(
      readFileSync(writeHelpRequest(dir, 'x', '2018-10-18', 'MIN_VOLUME'), 'utf8'),
    ).not.toContain('R1_HEALTH_MIN');
  });
});
