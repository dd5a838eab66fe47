/**
 * The replay dataset's CSV reader (source/market/replay/format.ts csvRows, csv-parse underneath),
 * used by the loader (day files, tickers.csv.gz) and the importer (stooq day files): RFC 4180
 * quoting, CRLF/LF (even mixed), empty lines skipped and each row's real line number for errors.
 */
import { describe, expect, it } from 'vitest';
import { csvRows } from '../../source/market/replay/format.js';

describe('csvRows', () => {
  it('reads quoted cells (commas, doubled quotes, line breaks) and keeps real line numbers', () => {
    const text =
      'ticker,name\r\nAAA,"Acme, Inc."\r\n\r\nBBB,"say ""hi"""\nCCC,"two\nlines"\nDDD,x\n';
    expect(csvRows(text, 'x')).toEqual([
      { cells: ['ticker', 'name'], line: 1 },
      { cells: ['AAA', 'Acme, Inc.'], line: 2 },
      { cells: ['BBB', 'say "hi"'], line: 4 },
      { cells: ['CCC', 'two\nlines'], line: 6 },
      { cells: ['DDD', 'x'], line: 7 },
    ]);
  });

  it('leaves rows of another length to the caller and reads an empty text as no rows', () => {
    expect(csvRows('a,b,c\n1,2\n', 'x').map((r) => r.cells)).toEqual([
      ['a', 'b', 'c'],
      ['1', '2'],
    ]);
    expect(csvRows('', 'x')).toEqual([]);
  });

  it('throws one line naming the file on bad quoting', () => {
    expect(() => csvRows('a,b\n"open,1\n', 'replay t: days/x.csv.gz')).toThrow(
      /^replay t: days\/x\.csv\.gz: bad CSV: [^\n]+$/,
    );
  });
});
