/**
 * ENRICH (docs/domain.md section 4, step 8): fundamentals of every hit, filled into the hit rows
 * PERSIST built (the one stage that completes another's output, in place, before the commit).
 */
import type { HitRow } from '../../store/store.js';
import { checkStopped, type EngineContext } from '../context.js';
import { exchangeOfMic } from '../rules.js';
import { describeError } from './io.js';
import { step } from './runner.js';
import type { Stage, StageCounts } from './types.js';

/** Input of ENRICH: the day's hit rows (their `fundamentals` are filled in). */
export interface EnrichIn {
  hits: HitRow[];
}

/**
 * ENRICH: all hits at once (the Polygon and FMP clients cap their own requests in flight). A hit
 * whose Polygon details fail is kept with `data_source` `unavailable;dv=...`.
 * @throws StoppedError on stop.
 */
export const enrichStage: Stage<EnrichIn, EnrichIn & { counts: StageCounts }, void> = {
  name: 'ENRICH',
  plan: (_day, input) => ({ ...input, counts: { hits: input.hits.length } }),
  async run(day, { hits }) {
    const { ctx, date, log } = day;
    let enrichErrors = 0;
    let floatErrors = 0;
    await step(ctx);
    await Promise.all(
      hits.map(async (h) => {
        try {
          const floatFailure = await enrichHit(ctx, date, h);
          if (floatFailure !== null) {
            floatErrors++;
            if (floatErrors <= 3)
              log(
                `ENRICH:warn ${h.ticker} float unavailable (shares outstanding kept): ${floatFailure}`,
              );
          }
        } catch (e) {
          if (ctx.signal.aborted) return;
          enrichErrors++;
          h.fundamentals.dataSource = `unavailable;dv=${h.vwap !== null ? 'vwap' : 'close'}`;
          if (enrichErrors <= 3) log(`ENRICH:warn ${h.ticker} ${describeError(e)}`);
        }
      }),
    );
    checkStopped(ctx.signal);
    return {
      out: undefined,
      counts: {
        enriched: hits.length - enrichErrors,
        errors: enrichErrors,
        float_errors: floatErrors,
      },
    };
  },
};

/**
 * Fundamentals of a hit (docs/domain.md step 8): shares outstanding and market cap from Polygon ticker
 * details as of the date (cached in symbol_meta), float from FMP when configured (else shares
 * outstanding stand in), dollar volume from vwap (close when vwap is missing). `data_source` says
 * where each came from, e.g. `shares=polygon;float=fmp;dv=vwap`.
 *
 * A float failure (FMP error after its retries) never discards Polygon's shares outstanding and
 * market cap: the float falls back to shares outstanding (`float=shares_outstanding(fmp_error)`),
 * the row is not cached in symbol_meta (a rerun asks FMP again), and the error is returned for the
 * day's log. Returns null when FMP answered (or is not configured).
 * @throws whatever the Polygon ticker-details call throws (the caller marks the hit `unavailable`).
 */
async function enrichHit(ctx: EngineContext, date: string, h: HitRow): Promise<string | null> {
  let fmpFailure: string | null = null;
  let meta = ctx.store.getMeta(h.ticker, date);
  if (!meta) {
    const d = await ctx.polygon.tickerDetails(h.ticker, date, ctx.signal);
    let float: number | null = null;
    let floatSrc = 'none';
    if (ctx.fmp) {
      try {
        float = await ctx.fmp.floatShares(h.ticker, date, ctx.signal);
        if (float !== null) floatSrc = 'fmp';
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        fmpFailure = describeError(e);
      }
    }
    const shares = d?.sharesOutstanding ?? null;
    if (float === null && shares !== null) {
      float = shares;
      floatSrc = fmpFailure ? 'shares_outstanding(fmp_error)' : 'shares_outstanding';
    } else if (float === null && fmpFailure) {
      floatSrc = 'none(fmp_error)';
    }
    const source = `shares=${shares !== null ? 'polygon' : 'none'};float=${floatSrc}`;
    if (!fmpFailure)
      ctx.store.putMeta({
        symbol: h.ticker,
        asOf: date,
        primaryExchange: d?.primaryExchange ?? null,
        exchange: d ? exchangeOfMic(d.primaryExchange) : null,
        securityType: d?.type ?? null,
        sharesOutstanding: shares,
        marketCap: d?.marketCap ?? null,
        floatShares: float,
        source,
      });
    meta = {
      shares_outstanding: shares,
      market_cap: d?.marketCap ?? null,
      float_shares: float,
      source,
      security_type: d?.type ?? null,
      primary_exchange: d?.primaryExchange ?? null,
    };
  }
  h.fundamentals.sharesOutstanding = meta.shares_outstanding;
  h.fundamentals.marketCap = meta.market_cap;
  h.fundamentals.floatShares = meta.float_shares;
  h.fundamentals.dataSource = `${meta.source ?? 'none'};dv=${h.vwap !== null ? 'vwap' : 'close'}`;
  return fmpFailure;
}
