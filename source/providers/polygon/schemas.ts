/**
 * zod schemas of the Polygon/Massive REST bodies the scanner reads (docs/providers.md section 1.6).
 * `status` must be OK or DELAYED; `results` missing, null or [] all mean no rows. Unknown fields
 * are ignored.
 */
import { z } from 'zod';

const num = z.number().finite();
const optNum = z.number().finite().nullish();
const optStr = z.string().nullish();

/** Envelope fields shared by every body: status OK | DELAYED, optional `next_url`. */
const envelope = {
  status: z.enum(['OK', 'DELAYED']),
  request_id: z.string().nullish(),
  next_url: z.string().nullish(),
};

/** An array `results` where missing and null both mean []. */
function results<T extends z.ZodTypeAny>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((r): z.output<T>[] => r ?? []);
}

/** `/v2/aggs/grouped/locale/us/market/stocks/{date}` body. */
export const groupedDailySchema = z.object({
  ...envelope,
  results: results(
    z.object({
      T: z.string().min(1),
      o: num,
      h: num,
      l: num,
      c: num,
      v: num,
      vw: optNum,
      n: optNum,
      otc: z.boolean().nullish(),
    }),
  ),
});

/** `/v3/reference/tickers` page. */
export const referenceTickersSchema = z.object({
  ...envelope,
  results: results(
    z.object({
      ticker: z.string().min(1),
      type: optStr,
      primary_exchange: optStr,
      market: optStr,
      active: z.boolean().nullish(),
      delisted_utc: optStr,
    }),
  ),
});

/** `/v3/reference/tickers/{ticker}` body (`results` is one object). */
export const tickerDetailsSchema = z.object({
  ...envelope,
  results: z
    .object({
      ticker: z.string().min(1),
      type: optStr,
      primary_exchange: optStr,
      market_cap: optNum,
      share_class_shares_outstanding: optNum,
      weighted_shares_outstanding: optNum,
    })
    .nullish(),
});

/** `/v3/reference/splits` page. */
export const splitsSchema = z.object({
  ...envelope,
  results: results(
    z.object({
      ticker: z.string().min(1),
      execution_date: z.string().min(1),
      split_from: num,
      split_to: num,
    }),
  ),
});

/** `/v2/aggs/ticker/{t}/range/1/minute/{from}/{to}` body. */
export const minuteAggsSchema = z.object({
  ...envelope,
  results: results(z.object({ t: num, o: num, h: num, l: num, c: num, v: num })),
});
