import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { checkDiscoveryCsv, type CsvShapeIssue } from '../../source/export/csv-shape.js';
import { DISCOVERY_COLUMNS, exportDiscoveryHits } from '../../source/export/discovery-csv.js';
import type { Store } from '../../source/store/store.js';
import { sampleStore } from './fixtures.js';

let opened: { store: Store; dir: string } | null = null;
afterEach(() => {
  if (opened) {
    opened.store.close();
    rmSync(opened.dir, { recursive: true, force: true });
    opened = null;
  }
});

/** Exports the sample, then returns a function that writes a corrupted copy and checks it. */
function exported() {
  opened = sampleStore();
  const { store, dir } = opened;
  const path = exportDiscoveryHits(store, '2018-01-03', '2018-01-04', dir).path;
  const records = parse(readFileSync(path, 'utf8')) as string[][];
  const col = (name: string) => DISCOVERY_COLUMNS.indexOf(name);
  const rowOf = (ticker: string) => records.findIndex((r) => r[col('ticker')] === ticker);
  let n = 0;
  const corrupt = (edit: (rec: string[][]) => void): CsvShapeIssue[] => {
    const copy = records.map((r) => [...r]);
    edit(copy);
    const p = join(dir, `corrupt_${n++}.csv`);
    writeFileSync(p, stringify(copy, { record_delimiter: 'unix' }));
    return checkDiscoveryCsv(p);
  };
  return { path, records, col, rowOf, corrupt };
}

const columnsOf = (issues: CsvShapeIssue[]) => [...new Set(issues.map((i) => i.column))].sort();

describe('checkDiscoveryCsv', () => {
  it('passes the export as written', () => {
    const { path, records } = exported();
    expect(records.length).toBe(7);
    expect(checkDiscoveryCsv(path)).toEqual([]);
  });

  it('passes a header-only export', () => {
    opened = sampleStore();
    const path = exportDiscoveryHits(opened.store, '2019-01-02', '2019-01-02', opened.dir).path;
    expect(checkDiscoveryCsv(path)).toEqual([]);
  });

  it('reports a wrong header order at row 0 with the misplaced columns', () => {
    const { corrupt, col } = exported();
    // Whole columns swapped (header and data): the header is wrong, the data is read by name.
    const issues = corrupt((rec) => {
      for (const r of rec)
        [r[col('date')], r[col('volume')]] = [r[col('volume')]!, r[col('date')]!];
    });
    expect(issues.length).toBe(2);
    expect(issues.every((i) => i.row === 0)).toBe(true);
    expect(columnsOf(issues)).toEqual(['date', 'volume']);
    expect(issues.find((i) => i.column === 'date')!.message).toMatch(/expected "date"/);
    // Only the header cells swapped: the header issues plus the mislabelled data.
    const headerOnly = corrupt((rec) => {
      const h = rec[0]!;
      [h[col('date')], h[col('volume')]] = [h[col('volume')]!, h[col('date')]!];
    });
    expect(
      headerOnly
        .filter((i) => i.row === 0)
        .map((i) => i.column)
        .sort(),
    ).toEqual(['date', 'volume']);
    expect(headerOnly.some((i) => i.row > 0 && i.column === 'date')).toBe(true);
  });

  it('reports a missing header column', () => {
    const { corrupt, col } = exported();
    const issues = corrupt((rec) => rec.forEach((r) => r.splice(col('rule_tags'), 1)));
    expect(issues).toEqual([
      { row: 0, column: 'rule_tags', message: expect.stringMatching(/missing/) },
    ]);
  });

  it('reports a 2-decimal volume_millions', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('AAA');
    const issues = corrupt((rec) => {
      rec[r]![col('volume_millions')] = '12.35';
    });
    expect(issues).toEqual([
      { row: r, column: 'volume_millions', message: expect.stringMatching(/1 decimal/) },
    ]);
  });

  it('reports a volume_millions that does not match the volume', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('EEE');
    const issues = corrupt((rec) => {
      rec[r]![col('volume_millions')] = '3.0';
    });
    expect(issues).toEqual([
      { row: r, column: 'volume_millions', message: expect.stringMatching(/volume/) },
    ]);
  });

  it('reports a NaN (or null/undefined) cell in its column', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('CCC');
    expect(
      corrupt((rec) => {
        rec[r]![col('market_cap_millions')] = 'NaN';
      }),
    ).toEqual([{ row: r, column: 'market_cap_millions', message: expect.stringMatching(/NaN/) }]);
    expect(
      columnsOf(
        corrupt((rec) => {
          rec[r]![col('exchange')] = 'null';
        }),
      ),
    ).toEqual(['exchange']);
    // A NaN float is reported once, not again as a rotation problem.
    expect(
      columnsOf(
        corrupt((rec) => {
          rec[r]![col('float_millions')] = 'undefined';
        }),
      ),
    ).toEqual(['float_millions']);
  });

  it('reports rules_detail out of rule order', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('AAA');
    const issues = corrupt((rec) => {
      rec[r]![col('rules_detail')] = 'SURGE_7D_300:810.0|PM_GAP_50:69.7';
    });
    expect(issues).toEqual([
      { row: r, column: 'rules_detail', message: expect.stringMatching(/order/) },
    ]);
  });

  it('reports rules_detail values that are not 1 decimal or unknown codes', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('AAA');
    expect(
      columnsOf(
        corrupt((rec) => {
          rec[r]![col('rules_detail')] = 'PM_GAP_50:69.66|SURGE_7D_300:810.0';
        }),
      ),
    ).toEqual(['rules_detail']);
    expect(
      columnsOf(
        corrupt((rec) => {
          rec[r]![col('rules_detail')] = 'PM_GAP_99:69.7|SURGE_7D_300:810.0';
        }),
      ),
    ).toEqual(['rules_detail']);
  });

  it('reports float_rotation off by 20%', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('EEE');
    const issues = corrupt((rec) => {
      rec[r]![col('float_rotation')] = (Number(rec[r]![col('float_rotation')]) * 1.2).toFixed(2);
    });
    expect(issues).toEqual([
      { row: r, column: 'float_rotation', message: expect.stringMatching(/10%/) },
    ]);
  });

  it('accepts float_rotation within 10% and reports one given without a float', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('EEE');
    expect(
      corrupt((rec) => {
        rec[r]![col('float_rotation')] = (7.5 * 1.08).toFixed(2);
      }),
    ).toEqual([]);
    const b = rowOf('BBB');
    expect(
      corrupt((rec) => {
        rec[b]![col('float_rotation')] = '1.00';
      }),
    ).toEqual([{ row: b, column: 'float_rotation', message: expect.stringMatching(/unknown/) }]);
  });

  it('reports rule_tags that do not match rules_detail', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('AAA');
    const issues = corrupt((rec) => {
      rec[r]![col('rule_tags')] = 'PM_GAP_50';
    });
    expect(issues).toEqual([
      { row: r, column: 'rule_tags', message: expect.stringMatching(/rules_detail/) },
    ]);
    expect(
      columnsOf(
        corrupt((rec) => {
          rec[r]![col('rule_tags')] = 'PM_GAP_50,SURGE_7D_300';
        }),
      ),
    ).toEqual(['rule_tags']);
  });

  it('reports a rule flag that disagrees with rules_detail, and non 0/1 flags', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('BBB');
    expect(
      corrupt((rec) => {
        rec[r]![col('pm_gap_50')] = '1';
      }),
    ).toEqual([{ row: r, column: 'pm_gap_50', message: expect.stringMatching(/lacks PM_GAP_50/) }]);
    expect(
      columnsOf(
        corrupt((rec) => {
          rec[r]![col('near_rs')] = 'true';
        }),
      ),
    ).toEqual(['near_rs']);
  });

  it('reports bad dates, millions formats and negative zero', () => {
    const { corrupt, col, rowOf } = exported();
    const r = rowOf('CCC');
    const issues = corrupt((rec) => {
      rec[r]![col('date')] = '2018-02-30';
      rec[r]![col('rs_exec_date')] = '01/03/2018';
      rec[r]![col('shares_outstanding_millions')] = '0.02';
      rec[r]![col('dollar_volume')] = '3400000';
      rec[r]![col('intraday_push_pct')] = '-0.0';
    });
    expect(columnsOf(issues)).toEqual(
      [
        'date',
        'dollar_volume',
        'intraday_push_pct',
        'rs_exec_date',
        'shares_outstanding_millions',
      ].sort(),
    );
    expect(issues.every((i) => i.row === r)).toBe(true);
  });

  it('reports a row with the wrong cell count and an unparseable file', () => {
    const { corrupt, rowOf } = exported();
    const r = rowOf('DDD');
    const issues = corrupt((rec) => {
      rec[r]!.push('extra');
    });
    expect(issues).toEqual([{ row: r, column: '', message: expect.stringMatching(/26 cells/) }]);
    const p = join(opened!.dir, 'broken.csv');
    writeFileSync(p, DISCOVERY_COLUMNS.join(',') + '\n1,"AAA\n');
    expect(checkDiscoveryCsv(p)).toEqual([
      { row: 0, column: '', message: expect.stringMatching(/parseable/) },
    ]);
  });

  it('throws a one-line error for a file that cannot be read', () => {
    expect(() => checkDiscoveryCsv('/nonexistent/discovery_hits_x.csv')).toThrow(
      /^csv-shape: cannot read .*ENOENT[^\n]*$/,
    );
  });
});
