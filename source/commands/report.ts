/**
 * `gapctl report weekly|monthly [--json] [--end D] [--out DIR] [--db PATH]`: the runbooks' weekly
 * and monthly operations reports (export/ops-report.ts) from the store, opened read-only. Prints the
 * text (or one JSON object) and writes `report_<period>_<end>.csv` and `.txt` into --out
 * (default GAPCTL_REPORTS_DIR).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as calendar from '../calendar/index.js';
import type { Config } from '../config/index.js';
import { StoreError } from '../store/db.js';
import { lastScannedDay } from '../store/days.js';
import { Store } from '../store/store.js';
import { opsReport, writeOpsReport, type ReportPeriod } from '../export/ops-report.js';
import { UsageError, dateFlag } from './common.js';

/** Options of {@link reportCommand}. */
export interface ReportCommandOptions {
  cfg: Config;
  input: readonly string[];
  dbPath: string;
  end?: string;
  out?: string;
  json?: boolean;
  write?: (text: string) => void;
}

/**
 * Builds, prints and writes the report.
 * @returns 0 (also when no day was scanned: it says so).
 * @throws UsageError on a bad period or date; StoreError on a missing or unreadable store.
 */
export async function reportCommand(o: ReportCommandOptions): Promise<number> {
  const write = o.write ?? ((t: string) => process.stdout.write(t));
  const [period, extra] = o.input;
  if (period !== 'weekly' && period !== 'monthly')
    throw new UsageError(
      period === undefined
        ? 'usage: gapctl report weekly|monthly'
        : `unknown report "${period}": expected weekly or monthly`,
    );
  if (extra !== undefined)
    throw new UsageError(`unexpected argument "${extra}" (gapctl report --help)`);
  let end = o.end === undefined ? undefined : dateFlag(o.end, 'end');
  if (!existsSync(o.dbPath))
    throw new StoreError(`store: ${o.dbPath} does not exist (nothing to report)`);
  const store = Store.open(o.dbPath, { readonly: true, check: true });
  try {
    if (end === undefined) {
      const last = lastScannedDay(store.db);
      if (!last) {
        write(
          o.json
            ? JSON.stringify({ period, days: [], message: 'no day scanned yet' }) + '\n'
            : 'no day scanned yet: nothing to report\n',
        );
        return 0;
      }
      end = last;
    }
    const r = opsReport(store, calendar, period as ReportPeriod, end, {
      maxSec: o.cfg.SLA_MAX_PROCESSING_SEC,
      maxErrorRate: o.cfg.SLA_MAX_ERROR_RATE,
    });
    const files = writeOpsReport(r, resolve(o.out ?? o.cfg.GAPCTL_REPORTS_DIR));
    if (o.json) {
      const { text: _text, rows: _rows, columns: _columns, ...rest } = r;
      write(JSON.stringify({ ...rest, files: files.map((f) => f.path) }) + '\n');
    } else {
      write(r.text);
      write(`\nwritten: ${files.map((f) => f.path).join(', ')}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}
