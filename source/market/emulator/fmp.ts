/**
 * FMP route of the emulator: `GET /api/v4/shares_float?symbol=X&apikey=K[&date=YYYY-MM-DD]` →
 * `[{symbol, date, freeFloat?, floatShares, outstandingShares}]`, or `[]` when the source has no
 * float for the symbol. Float comes from `source.floatShares`, outstanding shares from
 * `source.tickerDetails` (share-class shares outstanding, else weighted, else the float).
 */

import { defaultDate, json, send, text, type Ctx, type EmulatorState, type Reply } from './http-util.js';
import { parseIsoDate } from './et-time.js';

const INVALID_KEY = 'Invalid API KEY. Please retry or visit our documentation to create one FREE https://site.financialmodelingprep.com/developer/docs';

/** Serves one FMP request (no faults, no latency). Missing `apikey` → 401 `{"Error Message": …}`. */
export async function handleFmp(ctx: Ctx, st: EmulatorState): Promise<void> {
  send(ctx.res, await fmpReply(ctx, st));
}

async function fmpReply(ctx: Ctx, st: EmulatorState): Promise<Reply> {
  const { url, req } = ctx;
  if ((req.method ?? 'GET') !== 'GET') return text(405, 'Method Not Allowed');
  if (url.pathname !== '/api/v4/shares_float') return json(404, { 'Error Message': 'Not Found' });
  if (!url.searchParams.get('apikey')) return json(401, { 'Error Message': INVALID_KEY });
  const symbol = url.searchParams.get('symbol');
  if (!symbol) return json(400, { 'Error Message': 'symbol is required' });
  const date = url.searchParams.get('date') ?? defaultDate(st.source);
  if (parseIsoDate(date) === null) return json(400, { 'Error Message': `date must be YYYY-MM-DD, got '${date}'` });
  const float = st.source.floatShares ? await st.source.floatShares(symbol, date) : null;
  if (float === null || float === undefined) return json(200, []);
  const d = await st.source.tickerDetails(symbol, date);
  const outstanding = d?.shareClassSharesOutstanding ?? d?.weightedSharesOutstanding ?? float;
  const row: Record<string, unknown> = { symbol, date };
  if (outstanding > 0) row.freeFloat = Math.round((float / outstanding) * 1e6) / 1e4;
  row.floatShares = float;
  row.outstandingShares = outstanding;
  return json(200, [row]);
}
