/**
 * The emulator and the Theta client were written together, so they could agree on a wrong wire
 * format. This test checks both against ThetaData's own published v3 OpenAPI document (the part
 * gapctl uses, kept in test/fixtures/openapi/theta-v3-stocks-subset.json with its source; see the
 * README there):
 *
 * - the real client talks to the emulator's v3 terminal through a recording proxy on 127.0.0.1;
 *   every v3 request must use a documented path, documented query parameters with documented enum
 *   values and value formats, every required one present (v2 requests of the legacy terminal are
 *   outside the v3 document and are not checked here);
 * - the emulator's 200 answers to documented requests (trade and 1-minute OHLC; csv, json and
 *   ndjson) must carry exactly the documented columns: the CSV header in the document's order with
 *   CRLF line ends, JSON rows validated against the documented item schema (ajv). The document's
 *   application/json schema is the bare row array; its example wraps it in `{"response": [...]}`,
 *   which is what the terminal sends, so the `response` array is validated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { request } from 'undici';
import { Ajv } from 'ajv';
import { startEmulator, type RunningEmulator } from '../../source/market/emulator/index.js';
import { createThetaClient } from '../../source/providers/theta/client.js';
import { TinySource } from '../market/fixtures/tiny-source.js';
import { cfgWith, instantSleep } from './servers.js';
import { REPO_ROOT } from '../helpers/paths.js';

interface Param {
  name: string;
  in: 'query' | 'path';
  required?: boolean;
  schema: { type?: string; enum?: string[]; format?: string; default?: string };
}
type ItemSchema = { type: 'object'; properties: Record<string, { type: string; format?: string }> };
interface Operation {
  parameters: Param[];
  responses: {
    '200': {
      content: Record<
        'text/csv' | 'application/json' | 'application/x-ndjson',
        { schema: { type: 'array'; items: ItemSchema } }
      >;
    };
  };
}
const SPEC = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/fixtures/openapi/theta-v3-stocks-subset.json'), 'utf8'),
) as {
  servers: { url: string }[];
  paths: Record<string, { get: Operation }>;
};
/** Path prefix of every documented path (the server URL's path, `/v3`). */
const PREFIX = new URL(SPEC.servers[0]!.url).pathname;

interface Exchange {
  path: string;
  query: URLSearchParams;
  status: number;
  contentType: string;
  body: string;
}

const ajv = new Ajv({ strict: false, allErrors: true });
// The document's timestamps are ET wall clock without a zone (`YYYY-MM-DDTHH:mm:ss.SSS`).
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/);
const exchanges: Exchange[] = [];
let em: RunningEmulator;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  em = await startEmulator({ source: new TinySource() });
  proxy = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    void request(`${em.thetaV3Url}${url.pathname}${url.search}`).then(async (r) => {
      const body = await r.body.text();
      const contentType = String(r.headers['content-type'] ?? '');
      exchanges.push({
        path: url.pathname,
        query: url.searchParams,
        status: r.statusCode,
        contentType,
        body,
      });
      res.writeHead(r.statusCode, { 'content-type': contentType });
      res.end(body);
    });
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  const addr = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  // The real client, as the engine uses it (premarket highs: v3 trades first).
  const theta = createThetaClient(cfgWith({ THETA_RETRIES: '0' }), {
    v3Url: proxyUrl,
    v1Url: em.thetaV1Url,
    sleep: instantSleep().sleep,
  });
  const a = await theta.premarketHigh('AAA', '2024-01-02');
  expect(a).toMatchObject({ outcome: 'high', source: 'v3_trades' });
  await theta.premarketHigh('AAA', '2024-03-11');
  await theta.premarketHigh('BBB', '2024-01-02');

  // The emulator's answers to documented requests in each format the document lists (html aside).
  for (const format of ['csv', 'json', 'ndjson']) {
    await request(
      `${proxyUrl}/v3/stock/history/trade?symbol=AAA&date=20240102&start_time=04:00:00&end_time=20:00:00&venue=utp_cta&format=${format}`,
    ).then((r) => r.body.text());
    await request(
      `${proxyUrl}/v3/stock/history/ohlc?symbol=AAA&date=20240102&interval=1m&start_time=04:00:00&end_time=16:00:00&venue=utp_cta&format=${format}`,
    ).then((r) => r.body.text());
  }
}, 60_000);

afterAll(async () => {
  await new Promise<void>((ok) => proxy?.close(() => ok()));
  await em?.close();
});

/** The documented path (without `/v3`) of a request path, or null. */
function documented(path: string): string | null {
  if (!path.startsWith(`${PREFIX}/`)) return null;
  const p = path.slice(PREFIX.length);
  return p in SPEC.paths ? p : null;
}

/**
 * Problems of one parameter value against its documented schema: enum, and the value formats
 * the document uses (`date`: YYYYMMDD as in its sample URLs, or YYYY-MM-DD; `time`: 24-hour
 * HH:MM:SS[.SSS]).
 */
function paramProblems(p: Param, value: string): string[] {
  const s = p.schema;
  const out: string[] = [];
  if (Array.isArray(s.enum) && !s.enum.includes(value))
    out.push(`${p.name}=${value} not in ${JSON.stringify(s.enum)}`);
  if (s.format === 'date' && !/^(\d{8}|\d{4}-\d{2}-\d{2})$/.test(value))
    out.push(`${p.name}=${value} is not a date`);
  if (s.format === 'time' && !/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?$/.test(value))
    out.push(`${p.name}=${value} is not an HH:MM:SS[.SSS] time`);
  return out;
}

/** Problems of one request against the document. */
function requestProblems(e: Pick<Exchange, 'path' | 'query'>): string[] {
  const template = documented(e.path);
  if (!template) return [`undocumented path ${e.path}`];
  const params = SPEC.paths[template]!.get.parameters;
  const out: string[] = [];
  for (const [name, value] of e.query) {
    const p = params.find((x) => x.in === 'query' && x.name === name);
    if (!p) out.push(`${template}: undocumented query parameter ${name}`);
    else out.push(...paramProblems(p, value).map((x) => `${template}: ${x}`));
  }
  for (const p of params)
    if (p.required && !e.query.has(p.name)) out.push(`${template}: missing required ${p.name}`);
  return out;
}

/** Problems of one 200 answer against the documented row schema of its format. */
function answerProblems(e: Exchange): string[] {
  const template = documented(e.path)!;
  const content = SPEC.paths[template]!.get.responses['200'].content;
  const format = e.query.get('format') ?? 'csv';
  const items = content['text/csv'].schema.items;
  const columns = Object.keys(items.properties);
  if (format === 'csv') {
    const lines = e.body.split('\r\n');
    const out: string[] = [];
    if (lines[0] !== columns.join(','))
      out.push(`${template} csv header ${lines[0]} is not ${columns.join(',')}`);
    if (!e.body.endsWith('\r\n') || /[^\r]\n/.test(e.body))
      out.push(`${template} csv lines do not end with CRLF`);
    for (const l of lines.slice(1, -1)) {
      const cells = l.split(',');
      if (cells.length !== columns.length)
        out.push(`${template} csv row ${l} has ${cells.length} cells`);
      columns.forEach((c, i) => {
        const t = items.properties[c]!.type;
        const v = cells[i] ?? '';
        if (t === 'integer' && !/^-?\d+$/.test(v))
          out.push(`${template} csv ${c}=${v} is not an integer`);
        if (t === 'number' && !Number.isFinite(Number(v)))
          out.push(`${template} csv ${c}=${v} is not a number`);
      });
    }
    return out;
  }
  const mime = format === 'json' ? 'application/json' : 'application/x-ndjson';
  const rows =
    format === 'json'
      ? (JSON.parse(e.body) as { response: unknown }).response
      : e.body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown);
  const validate = ajv.compile({
    ...content[mime].schema,
    items: { ...content[mime].schema.items, required: columns, additionalProperties: false },
  });
  return validate(rows) ? [] : [`${template} ${format}: ${ajv.errorsText(validate.errors)}`];
}

describe("the Theta client's v3 requests and the emulator's v3 answers against ThetaData's v3 OpenAPI document", () => {
  it('the client asks only documented v3 paths with documented, well-formed parameters (and asks for the premarket window)', () => {
    const fromClient = exchanges.filter(
      (e) =>
        !e.query.has('interval') &&
        e.query.get('format') === 'csv' &&
        e.query.get('end_time') !== '20:00:00',
    );
    expect(fromClient.length).toBeGreaterThanOrEqual(3);
    expect(fromClient.flatMap(requestProblems)).toEqual([]);
    // The document's defaults are the regular session (09:30-16:00): the client must send its window.
    for (const e of fromClient)
      expect([e.query.get('start_time'), e.query.get('end_time')]).toEqual([
        '04:00:00',
        '09:29:59.999',
      ]);
  });

  it('every request made here is documented, and both documented paths were exercised', () => {
    expect(exchanges.flatMap(requestProblems)).toEqual([]);
    expect([...new Set(exchanges.map((e) => documented(e.path)))].sort()).toEqual(
      Object.keys(SPEC.paths).sort(),
    );
  });

  it('every 200 answer carries the documented columns, types and line ends (csv, json, ndjson)', () => {
    const ok = exchanges.filter((e) => e.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(8);
    expect(new Set(ok.map((e) => e.query.get('format') ?? 'csv'))).toEqual(
      new Set(['csv', 'json', 'ndjson']),
    );
    expect(ok.flatMap(answerProblems)).toEqual([]);
  });

  it('can fail: a renamed or reordered column, a price as text, an LF-only CSV, an undocumented parameter and a bad venue are caught', () => {
    const csv = exchanges.find(
      (e) =>
        e.status === 200 &&
        documented(e.path) === '/stock/history/trade' &&
        (e.query.get('format') ?? 'csv') === 'csv',
    )!;
    expect(
      answerProblems({
        ...csv,
        body: csv.body.replace('ext_condition1,ext_condition2', 'ext_condition2,ext_condition1'),
      }),
    ).not.toEqual([]);
    expect(answerProblems({ ...csv, body: csv.body.replace(/\r\n/g, '\n') })).not.toEqual([]);
    const json = exchanges.find(
      (e) =>
        e.status === 200 &&
        documented(e.path) === '/stock/history/trade' &&
        e.query.get('format') === 'json',
    )!;
    const body = JSON.parse(json.body) as { response: Record<string, unknown>[] };
    body.response[0]!.price = '0.4';
    expect(answerProblems({ ...json, body: JSON.stringify(body) })).not.toEqual([]);
    const renamed = JSON.parse(json.body) as { response: Record<string, unknown>[] };
    renamed.response[0]!.ms_of_day = renamed.response[0]!.timestamp;
    delete renamed.response[0]!.timestamp;
    expect(answerProblems({ ...json, body: JSON.stringify(renamed) })).not.toEqual([]);
    expect(
      requestProblems({
        path: '/v3/stock/history/trade',
        query: new URLSearchParams('symbol=AAA&date=20240102&rth=false'),
      }),
    ).toHaveLength(1);
    expect(
      requestProblems({
        path: '/v3/stock/history/trade',
        query: new URLSearchParams('symbol=AAA&date=20240102&venue=sip'),
      }),
    ).toHaveLength(1);
    expect(
      requestProblems({
        path: '/v3/stock/history/trade',
        query: new URLSearchParams('date=20240102'),
      }),
    ).toHaveLength(1);
    expect(
      requestProblems({ path: '/v2/hist/stock/trade', query: new URLSearchParams('root=AAA') }),
    ).toHaveLength(1);
  });
});
