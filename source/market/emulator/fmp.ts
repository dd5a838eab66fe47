/**
 * FMP route of the emulator: `GET /stable/shares-float?symbol=X&apikey=K[&date=YYYY-MM-DD]` →
 * `[{symbol, date, freeFloat?, floatShares, outstandingShares}]`, or `[]` when the source has no
 * float for the symbol. Float comes from `source.floatShares`, outstanding shares from
 * `source.tickerDetails` (share-class shares outstanding, else weighted, else the float).
 * The retired `GET /api/v4/shares_float` answers 403 `{"Error Message":"Legacy Endpoint : ..."}`,
 * as FMP does for keys issued after 2025-08-31 (docs/providers.md section 6).
 */

import {
  defaultDate,
  json,
  send,
  text,
  type Ctx,
  type EmulatorState,
  type Reply,
} from './http-util.js';
import { parseIsoDate } from './et-time.js';

const LEGACY_FLOAT_PATH = '/api/v4/shares_float';
const LEGACY =
  'Legacy Endpoint : Due to Legacy endpoints being no longer supported - This endpoint is only available for legacy users who have valid subscriptions prior August 31, 2025.';
const INVALID_KEY =
  'Invalid API KEY. Please retry or visit our documentation to create one FREE https://site.financialmodelingprep.com/developer/docs';

/** Serves one FMP request (no faults, no latency). Missing `apikey` → 401 `{"Error Message": …}`. */
export async function handleFmp(ctx: Ctx, st: EmulatorState): Promise<void> {
  send(ctx.res, await fmpReply(ctx, st));
}

async function fmpReply(ctx: Ctx, st: EmulatorState): Promise<Reply> {
  const { url, req } = ctx;
  if ((req.method ?? 'GET') !== 'GET') return text(405, 'Method Not Allowed');
  if (url.pathname === LEGACY_FLOAT_PATH) return json(403, { 'Error Message': LEGACY });
  if (url.pathname !== '/stable/shares-float') return json(404, { 'Error Message': 'Not Found' });
  if (!url.searchParams.get('apikey')) return json(401, { 'Error Message': INVALID_KEY });
  const symbol = url.searchParams.get('symbol');
  if (!symbol) return json(400, { 'Error Message': 'symbol is required' });
  const date = url.searchParams.get('date') ?? defaultDate(st.source);
  if (parseIsoDate(date) === null)
    return json(400, { 'Error Message': `date must be YYYY-MM-DD, got '${date}'` });
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
