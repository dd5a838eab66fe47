/**
 * A recording that holds premarket data for part of its span says so (issue 13: the 518-day real
 * replay has premarket rows only up to 2018-04-10; its later days were judged on an empty premarket
 * without a word). The replay market exposes the span of its premarket rows, the session logs it,
 * and the R1_HEALTH gate's message names it for a day outside it.
 */
import { describe, expect, it } from 'vitest';
import { openReplay, DEFAULT_REPLAY_DIR } from '../../source/market/replay/index.js';
import { noPremarketReason } from '../../source/engine/validate.js';
import { testSession } from '../helpers/session.js';

describe('premarket span of a recording', () => {
  it('the bundled sample holds premarket rows from its first to its last kept row', async () => {
    const m = await openReplay(DEFAULT_REPLAY_DIR);
    const span = m.premarketSpan!;
    expect(span).toBeDefined();
    // The gappers file ends 2018-04-10, whose only row (PAY) is skipped (absent from stooq that
    // day): the last kept row is of 2018-04-09. The bundled sample's bars span 2018-01-02..2018-04-10.
    expect(span.end).toBe('2018-04-09');
    expect(m.span.end).toBe('2018-04-10');
    expect(span.start >= m.span.start && span.start <= '2018-01-10').toBe(true);
  });

  it('a session over the recording logs the span and hands it to the engine; a sim session does not', async () => {
    const replay = await testSession({ market: 'replay' });
    try {
      expect(replay.session.ctx.premarketSpan).toEqual({
        start: expect.any(String),
        end: '2018-04-09',
      });
      expect(
        replay.logs.some(
          (l) => l.includes('holds premarket data only for') && l.includes('..2018-04-09'),
        ),
      ).toBe(true);
    } finally {
      await replay.session.close();
    }
    const sim = await testSession({ market: 'sim:3', env: { SIM_TICKERS: '300' } });
    try {
      expect(sim.session.ctx.premarketSpan).toBeUndefined();
      expect(sim.logs.some((l) => l.includes('holds premarket data only'))).toBe(false);
    } finally {
      await sim.session.close();
    }
  });

  it('R1_HEALTH names the span for a day outside it, and the generic cause otherwise', () => {
    const span = { start: '2018-01-02', end: '2018-04-10' };
    expect(noPremarketReason('2018-10-18', span)).toBe(
      'no lookup had premarket data: the market holds premarket data only for 2018-01-02..2018-04-10',
    );
    expect(noPremarketReason('2018-03-01', span)).toBe(
      'no lookup had premarket data: the market may hold none for this day',
    );
    expect(noPremarketReason('2018-10-18', undefined)).toContain('may hold none');
  });
});
