import { test } from 'vitest';
import { createSimMarket } from '../../source/market/sim/index.js';
import { createSimOracle } from '../../source/market/sim/oracle.js';
import { defaultSimCalendar } from '../../source/market/sim/dates.js';

test('explore', async () => {
  const seed = Number(process.env.SEED ?? 42);
  let t0 = performance.now();
  const m = createSimMarket({ seed });
  const o = createSimOracle({ seed });
  console.log('create ms', (performance.now() - t0).toFixed(1));
  let d = '2024-01-02';
  const counts: number[] = [];
  const kinds: Record<string, number> = {};
  const rulesC: Record<string, number> = {};
  let n = 0;
  t0 = performance.now();
  while (n < 65) {
    if (defaultSimCalendar.isTradingDay(d)) {
      const h = o.hits(d);
      counts.push(h.length);
      for (const x of h) { kinds[x.kind] = (kinds[x.kind] ?? 0) + 1; const k = x.rules.map(r => r.code).join('|'); rulesC[k] = (rulesC[k] ?? 0) + 1; }
      n++;
    }
    const dt = new Date(d + 'T00:00:00Z'); dt.setUTCDate(dt.getUTCDate() + 1); d = dt.toISOString().slice(0, 10);
  }
  console.log('oracle 65 days ms', (performance.now() - t0).toFixed(0));
  console.log(counts.join(','), 'min', Math.min(...counts), 'max', Math.max(...counts), 'mean', counts.reduce((a,b)=>a+b,0)/counts.length);
  console.log(kinds); console.log(rulesC);
  t0 = performance.now(); const g = await m.groupedDaily('2024-06-03'); console.log('grouped ms', (performance.now()-t0).toFixed(1), g.length);
  t0 = performance.now(); const r = await m.referenceTickers('2024-06-03'); console.log('ref ms', (performance.now()-t0).toFixed(1), r.length, r.filter(x=>!x.active).length);
  const sp = await m.splits(); console.log('splits', sp.length, sp.filter(s => s.splitFrom > s.splitTo).length, sp.filter(s=>s.executionDate.startsWith('2024')).length);
  // volume stats
  const types = new Map(r.map(x => [x.ticker, x]));
  const cs = g.filter(b => { const x = types.get(b.T); return x && x.type==='CS' && x.market==='stocks'; });
  console.log('CS bars', cs.length, 'below100k', cs.filter(b=>b.v<100000).length / cs.length);
  let nt = 0, nnull = 0, tot = 0; t0 = performance.now();
  for (const b of g.slice(0, 3000)) { const tr = await m.trades(b.T, '2024-06-03'); nt++; if (!tr) nnull++; else tot += tr.length; }
  console.log('trades per call ms', ((performance.now()-t0)/nt).toFixed(3), 'null frac', nnull/nt, 'avg prints', tot/(nt-nnull));
}, 600000);
