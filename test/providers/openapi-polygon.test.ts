/**
 * The emulator and the Polygon client were written together, so they could agree on a wrong wire
 * format. This test checks both against Polygon's own published OpenAPI document (the part gapctl
 * uses, kept in test/fixtures/openapi/polygon-stocks-subset.json with its source and MIT licence):
 * the real client talks to the emulator through a recording proxy on 127.0.0.1; every request's
 * path must match a documented path, every query parameter must be documented for it (with its
 * enum and type), every required one present; every 200 JSON body must validate against the
 * documented 200 schema (ajv).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { request } from 'undici';
import { Ajv } from 'ajv';
import { startEmulator, type RunningEmulator } from '../../source/market/emulator/index.js';
import { createPolygonClient } from '../../source/providers/polygon/client.js';
import { TinySource } from '../market/fixtures/tiny-source.js';
import { cfgWith, instantSleep } from './servers.js';
import { REPO_ROOT } from '../helpers/paths.js';

interface Param {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema: Record<string, unknown>;
}
interface Operation {
  parameters: Param[];
  responses: { '200': { content: { 'application/json': { schema: Record<string, unknown> } } } };
}
const SPEC = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/fixtures/openapi/polygon-stocks-subset.json'), 'utf8'),
) as {
  paths: Record<string, { get: Operation }>;
};

interface Exchange {
  path: string;
  query: URLSearchParams;
  status: number;
  body: string;
}

const ajv = new Ajv({ strict: false, allErrors: true });
// OpenAPI's numeric formats say nothing JSON Schema can check; date and date-time are checked.
for (const f of ['double', 'float', 'int32', 'int64']) ajv.addFormat(f, true);
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
const exchanges: Exchange[] = [];
let em: RunningEmulator;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  em = await startEmulator({ source: new TinySource() });
  proxy = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    void request(`${em.polygonUrl}${url.pathname}${url.search}`, {
      headers: { authorization: req.headers.authorization ?? '' },
    }).then(async (r) => {
      const body = await r.body.text();
      exchanges.push({ path: url.pathname, query: url.searchParams, status: r.statusCode, body });
      res.writeHead(r.statusCode, {
        'content-type': String(r.headers['content-type'] ?? 'application/json'),
      });
      res.end(body);
    });
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  const addr = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  const pg = createPolygonClient(cfgWith({ POLYGON_RETRIES: '0' }), {
    baseUrl: proxyUrl,
    apiKey: 'pk_test',
    sleep: instantSleep().sleep,
  });
  try {
    expect((await pg.groupedDaily('2024-01-02')).length).toBeGreaterThan(0);
    expect((await pg.referenceTickers('2024-01-02')).length).toBeGreaterThan(0);
    expect(await pg.tickerDetails('AAA', '2024-01-02')).not.toBeNull();
    await pg.splits('2024-01-01', '2024-01-31');
    expect((await pg.minuteAggs('AAA', '2024-01-02')).length).toBeGreaterThan(0);
  } finally {
    await pg.close();
  }
}, 60_000);

afterAll(async () => {
  await new Promise<void>((ok) => proxy?.close(() => ok()));
  await em?.close();
});

/** The documented path template that `path` matches, with its path parameters. */
function matchPath(path: string): { template: string; params: Record<string, string> } | null {
  for (const template of Object.keys(SPEC.paths)) {
    const names: string[] = [];
    const re = new RegExp(
      `^${template.replace(/\{([^}]+)\}/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`,
    );
    const m = re.exec(path);
    if (m)
      return {
        template,
        params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])),
      };
  }
  return null;
}

/** Problems of one parameter value against its documented schema (type and enum). */
function paramProblems(p: Param, value: string): string[] {
  const s = p.schema;
  const out: string[] = [];
  if (Array.isArray(s.enum) && !s.enum.map(String).includes(value))
    out.push(`${p.name}=${value} not in ${JSON.stringify(s.enum)}`);
  if (s.type === 'integer' && !/^-?\d+$/.test(value))
    out.push(`${p.name}=${value} is not an integer`);
  if (s.type === 'boolean' && !['true', 'false'].includes(value))
    out.push(`${p.name}=${value} is not a boolean`);
  if (s.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value))
    out.push(`${p.name}=${value} is not a date`);
  return out;
}

describe("the Polygon client's requests and the emulator's answers against Polygon's OpenAPI document", () => {
  it('covers the five endpoints gapctl uses', () => {
    const used = new Set(exchanges.map((e) => matchPath(e.path)?.template ?? e.path));
    expect([...used].sort()).toEqual(Object.keys(SPEC.paths).sort());
  });

  it('every request uses a documented path and documented, well-typed query parameters', () => {
    const problems: string[] = [];
    for (const e of exchanges) {
      const m = matchPath(e.path);
      if (!m) {
        problems.push(`undocumented path ${e.path}`);
        continue;
      }
      const params = SPEC.paths[m.template]!.get.parameters;
      for (const [name, value] of Object.entries(m.params)) {
        const p = params.find((x) => x.in === 'path' && x.name === name)!;
        problems.push(...paramProblems(p, value).map((x) => `${e.path}: ${x}`));
      }
      for (const [name, value] of e.query) {
        if (name === 'cursor') continue; // pagination token from next_url (documented by next_url itself)
        const p = params.find((x) => x.in === 'query' && x.name === name);
        if (!p) problems.push(`${m.template}: undocumented query parameter ${name}`);
        else problems.push(...paramProblems(p, value).map((x) => `${m.template}: ${x}`));
      }
      for (const p of params)
        if (p.required && p.in === 'query' && !e.query.has(p.name))
          problems.push(`${m.template}: missing required ${p.name}`);
    }
    expect(problems).toEqual([]);
  });

  it('every 200 JSON body validates against the documented 200 schema', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const e of exchanges) {
      const m = matchPath(e.path);
      if (!m || e.status !== 200) continue;
      const validate = ajv.compile(
        SPEC.paths[m.template]!.get.responses['200'].content['application/json'].schema,
      );
      if (!validate(JSON.parse(e.body)))
        problems.push(`${e.path}: ${ajv.errorsText(validate.errors)}`);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(problems).toEqual([]);
  });

  it('can fail: a grouped-daily body with a price as text or a bad query value is caught', () => {
    const e = exchanges.find((x) => x.path.startsWith('/v2/aggs/grouped/'))!;
    const body = JSON.parse(e.body) as { results: Record<string, unknown>[] };
    body.results[0]!.o = '0.4';
    const validate = ajv.compile(
      SPEC.paths['/v2/aggs/grouped/locale/us/market/stocks/{date}']!.get.responses['200'].content[
        'application/json'
      ].schema,
    );
    expect(validate(body)).toBe(false);
    const sort = SPEC.paths[
      '/v2/aggs/ticker/{stocksTicker}/range/{multiplier}/{timespan}/{from}/{to}'
    ]!.get.parameters.find((p) => p.name === 'sort')!;
    expect(paramProblems(sort, 'ascending')).toHaveLength(1);
  });
});
