/**
 * The CSV-shape acceptance gate (docs/domain.md section 7): reads a written
 * `discovery_hits_<start>_<end>.csv` back and checks it against section 9.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DISCOVERY_COLUMNS, RULE_FLAG_COLUMN, RULE_ORDER } from './discovery-csv.js';
import { errorLine } from '../util/errors.js';

/** One problem found in the CSV. `row` is the 1-based data row (0 = header or the whole file). */
export interface CsvShapeIssue {
  row: number;
  /** Column name (section 9); '' when the problem is not one column's (e.g. a cell count). */
  column: string;
  message: string;
}

const FORBIDDEN = new Set([
  'null',
  'nan',
  'undefined',
  'none',
  'infinity',
  '-infinity',
  '+infinity',
  'inf',
  '-inf',
]);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INT = /^-?\d+$/;
const UINT = /^\d+$/;
const VOLUME = /^\d+(\.\d{1,2})?$/;
const DEC1 = /^\d+\.\d$/;
const SDEC1 = /^-?\d+\.\d$/;
const DEC2 = /^\d+\.\d{2}$/;
const DEC3 = /^\d+\.\d{3}$/;
const FLAG = /^[01]$/;
const NEG_ZERO = /^-0(\.0+)?$/;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Per-column format: the pattern, whether '' (unknown) is allowed, and how to describe it. */
interface Format {
  re?: RegExp;
  date?: true;
  required: boolean;
  what: string;
}

const FORMATS: Record<string, Format> = {
  hit_id: { re: UINT, required: true, what: 'a whole number' },
  ticker: { required: true, what: 'a ticker' },
  date: { date: true, required: true, what: 'a YYYY-MM-DD date' },
  volume: { re: VOLUME, required: true, what: 'shares (integer, or up to 2 decimals)' },
  volume_millions: { re: DEC1, required: true, what: 'millions with 1 decimal' },
  dollar_volume_millions: { re: DEC1, required: false, what: 'millions with 1 decimal' },
  intraday_push_pct: { re: SDEC1, required: true, what: 'a percentage with 1 decimal' },
  near_rs: { re: FLAG, required: true, what: '0 or 1' },
  rs_exec_date: { date: true, required: false, what: 'a YYYY-MM-DD date or empty' },
  rs_days_after: { re: INT, required: false, what: 'a whole number of trading days or empty' },
  pm_gap_50: { re: FLAG, required: true, what: '0 or 1' },
  open_gap_50: { re: FLAG, required: true, what: '0 or 1' },
  intraday_push_50: { re: FLAG, required: true, what: '0 or 1' },
  surge_7d_300: { re: FLAG, required: true, what: '0 or 1' },
  rules_detail: { required: true, what: 'CODE:value pairs' },
  shares_outstanding_millions: { re: DEC3, required: false, what: 'millions with 3 decimals' },
  market_cap_millions: { re: DEC3, required: false, what: 'millions with 3 decimals' },
  float_millions: { re: DEC3, required: false, what: 'millions with 3 decimals' },
  dollar_volume: { re: DEC2, required: false, what: 'dollars with 2 decimals' },
  data_source: { required: false, what: 'text' },
  float_rotation: { re: DEC2, required: false, what: 'a ratio with 2 decimals' },
  exchange: { required: false, what: 'text' },
  pm_high_source: { required: false, what: 'text' },
  pm_high_venue: { required: false, what: 'text' },
  rule_tags: { required: true, what: 'rule codes joined by |' },
};

/** |a - b| within one unit of the last printed decimal's half, plus float noise. */
function roundsTo(printed: number, exact: number, decimals: number): boolean {
  return Math.abs(printed - exact) <= 0.5 * 10 ** -decimals + 1e-9 * Math.max(1, Math.abs(exact));
}

/**
 * Checks a discovery_hits CSV written by exportDiscoveryHits (docs/domain.md sections 7 and 9):
 * - the header is exactly {@link DISCOVERY_COLUMNS} in order (each misplaced, missing or extra
 *   header cell is one issue at row 0; data cells are then read by their actual header names);
 * - every data row has as many cells as the header;
 * - no cell is `null`, `NaN`, `undefined`, `None` or `Infinity` (any case);
 * - formats: volume_millions and dollar_volume_millions 1 decimal (and agreeing with volume and
 *   dollar_volume); shares/market cap/float millions 3 decimals; dollar_volume 2 decimals;
 *   intraday_push_pct 1 decimal; near_rs and the rule flags 0/1; dates YYYY-MM-DD; no `-0`;
 * - rules_detail = `CODE:value` (1 decimal) pairs joined by `|` in rule order R1..R4, no repeats,
 *   at least one; each rule flag is 1 exactly when its code is in rules_detail; rule_tags = the
 *   codes of rules_detail joined by `|` in the same order;
 * - float_rotation, when float_millions is known and > 0, is present with 2 decimals and within
 *   10% of volume / (float_millions x 1e6) (or within the 2-decimal rounding, whichever is wider);
 *   empty when the float is unknown or 0.
 * Returns every issue found (empty = pass). A CSV that cannot be parsed is one issue at row 0.
 * @throws Error when the file cannot be read.
 */
export function checkDiscoveryCsv(path: string): CsvShapeIssue[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`csv-shape: cannot read ${path}: ${errorLine(e)}`, { cause: e });
  }
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (e) {
    return [{ row: 0, column: '', message: `not a parseable CSV: ${errorLine(e)}` }];
  }
  const issues: CsvShapeIssue[] = [];
  if (records.length === 0) return [{ row: 0, column: '', message: 'empty file: no header row' }];

  const header = records[0]!;
  for (let i = 0; i < Math.max(header.length, DISCOVERY_COLUMNS.length); i++) {
    const want = DISCOVERY_COLUMNS[i];
    const got = header[i];
    if (want === got) continue;
    if (want === undefined) {
      issues.push({
        row: 0,
        column: got!,
        message: `unexpected extra header cell ${i + 1} "${got}"`,
      });
    } else if (got === undefined) {
      issues.push({ row: 0, column: want, message: `header is missing cell ${i + 1} "${want}"` });
    } else {
      issues.push({
        row: 0,
        column: want,
        message: `header cell ${i + 1} is "${got}", expected "${want}"`,
      });
    }
  }
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });

  for (let r = 1; r < records.length; r++) {
    const cells = records[r]!;
    const add = (column: string, message: string) => issues.push({ row: r, column, message });
    if (cells.length !== header.length)
      add('', `has ${cells.length} cells, the header has ${header.length}`);

    /** Cells that are present and well-formed, by column; bad ones are reported once and left out. */
    const ok = new Map<string, string>();
    for (const column of DISCOVERY_COLUMNS) {
      const i = index.get(column);
      if (i === undefined) continue; // reported in the header
      const v = cells[i] ?? '';
      const f = FORMATS[column]!;
      if (FORBIDDEN.has(v.trim().toLowerCase())) {
        add(column, `cell is "${v}"; unknown values must be empty`);
        continue;
      }
      if (v === '') {
        if (f.required) add(column, `is empty; expected ${f.what}`);
        else ok.set(column, v);
        continue;
      }
      if (NEG_ZERO.test(v)) {
        add(column, `"${v}" is a negative zero`);
        continue;
      }
      if ((f.re && !f.re.test(v)) || (f.date && !validDate(v))) {
        add(column, `"${v}" is not ${f.what}`);
        continue;
      }
      ok.set(column, v);
    }

    // Millions agree with their source columns.
    const vol = ok.get('volume');
    const volM = ok.get('volume_millions');
    if (vol && volM && !roundsTo(Number(volM), Number(vol) / 1e6, 1)) {
      add('volume_millions', `${volM} is not volume ${vol} / 1e6 to 1 decimal`);
    }
    const dv = ok.get('dollar_volume');
    const dvM = ok.get('dollar_volume_millions');
    if (dv !== undefined && dvM !== undefined) {
      if ((dv === '') !== (dvM === '')) {
        add(
          'dollar_volume_millions',
          `"${dvM}" disagrees with dollar_volume "${dv}" (both known or both empty)`,
        );
      } else if (dv !== '' && !roundsTo(Number(dvM), Number(dv) / 1e6, 1)) {
        add('dollar_volume_millions', `${dvM} is not dollar_volume ${dv} / 1e6 to 1 decimal`);
      }
    }

    // Rules: detail order and values, flags, tags.
    const detail = ok.get('rules_detail');
    let codes: string[] | null = null;
    if (detail !== undefined && detail !== '') {
      codes = [];
      let bad = false;
      let last = -1;
      for (const part of detail.split('|')) {
        const m = /^([A-Z0-9_]+):(-?\d+\.\d)$/.exec(part);
        const pos = m ? (RULE_ORDER as readonly string[]).indexOf(m[1]!) : -1;
        if (!m || pos < 0 || NEG_ZERO.test(m[2]!)) {
          add(
            'rules_detail',
            `"${part}" is not CODE:value with a known rule code and a 1-decimal percentage`,
          );
          bad = true;
          break;
        }
        if (pos <= last) {
          add(
            'rules_detail',
            `"${detail}" is not in rule order ${RULE_ORDER.join(', ')} (or repeats a rule)`,
          );
          bad = true;
          break;
        }
        last = pos;
        codes.push(m[1]!);
      }
      if (bad) codes = null;
    }
    if (codes) {
      for (const rule of RULE_ORDER) {
        const col = RULE_FLAG_COLUMN[rule];
        const flag = ok.get(col);
        if (flag === undefined || flag === '') continue;
        const want = codes.includes(rule) ? '1' : '0';
        if (flag !== want)
          add(col, `is ${flag} but rules_detail ${codes.includes(rule) ? 'has' : 'lacks'} ${rule}`);
      }
      const tags = ok.get('rule_tags');
      const wantTags = codes.join('|');
      if (tags !== undefined && tags !== '' && tags !== wantTags)
        add('rule_tags', `"${tags}" is not the rules_detail codes "${wantTags}"`);
    }

    // Float rotation from the rounded float_millions.
    const fm = ok.get('float_millions');
    const fr = ok.get('float_rotation');
    if (fm !== undefined && fr !== undefined) {
      const floatM = fm === '' ? 0 : Number(fm);
      if (floatM <= 0) {
        if (fr !== '')
          add(
            'float_rotation',
            `"${fr}" given but float_millions is ${fm === '' ? 'unknown' : '0'}`,
          );
      } else if (fr === '') {
        add('float_rotation', `is empty but float_millions is ${fm}`);
      } else if (vol) {
        const expected = Number(vol) / (floatM * 1e6);
        const tol = Math.max(0.1 * expected, 0.005 + 1e-9 * expected);
        if (Math.abs(Number(fr) - expected) > tol) {
          add(
            'float_rotation',
            `${fr} is not within 10% of volume / (float_millions x 1e6) = ${expected.toFixed(4)}`,
          );
        }
      }
    }
  }
  return issues;
}
