/** The small terminal emulator of the real-terminal tests (./screen.ts) on the sequences Ink emits. */
import { describe, expect, it } from 'vitest';
import { createScreen } from './screen.js';

const ESC = '\x1b';

describe('test terminal emulator', () => {
  it('prints text, CR/LF, and scrolls at the bottom row', () => {
    const s = createScreen(10, 3);
    s.write('ab\r\ncd\r\nef\r\ngh');
    expect(s.lines()).toEqual(['cd', 'ef', 'gh']);
    expect(s.stats.scrolls).toBe(1);
    expect(s.cursor).toEqual({ row: 2, col: 2 });
  });

  it('defers the wrap at the last column (a full-width line then CR LF takes one row)', () => {
    const s = createScreen(4, 3);
    s.write('abcd\r\nef');
    expect(s.lines()).toEqual(['abcd', 'ef', '']);
    s.write('ghi'); // e f g h fills the row, i wraps
    expect(s.lines()).toEqual(['abcd', 'efgh', 'i']);
  });

  it('erases lines and moves up like Ink log-update (ESC[2K ESC[1A ... ESC[G)', () => {
    const s = createScreen(20, 5);
    s.write('one\r\ntwo\r\nthree\r\n');
    s.write(
      `${ESC}[2K${ESC}[1A${ESC}[2K${ESC}[1A${ESC}[2K${ESC}[1A${ESC}[2K${ESC}[GONE\r\nTWO\r\n`,
    );
    expect(s.lines()).toEqual(['ONE', 'TWO', '', '', '']);
    expect(s.lastUsedRow()).toBe(1);
  });

  it('handles absolute moves, erase to end of line/screen, and cursor save/restore', () => {
    const s = createScreen(10, 4);
    s.write(`${ESC}[2;3Hxy${ESC}[1;1Habcdef${ESC}[1;4H${ESC}[K`);
    expect(s.line(0)).toBe('abc');
    expect(s.line(1)).toBe('  xy');
    s.write(`${ESC}7${ESC}[4;1Hzz${ESC}8q`);
    expect(s.line(0)).toBe('abcq');
    expect(s.line(3)).toBe('zz');
    s.write(`${ESC}[2;1H${ESC}[J`);
    expect(s.lines()).toEqual(['abcq', '', '', '']);
    s.write(`${ESC}[2J`);
    expect(s.stats.clears).toBe(1);
    expect(s.text().trim()).toBe('');
  });

  it('switches to the alternate screen and back, restoring the main screen and cursor', () => {
    const s = createScreen(10, 3);
    s.write('shell$ ');
    s.write(`${ESC}[?1049h${ESC}[H${ESC}[?25lAPP`);
    expect(s.altScreen).toBe(true);
    expect(s.cursorVisible).toBe(false);
    expect(s.line(0)).toBe('APP');
    s.write(`${ESC}[?25h${ESC}[?1049lok`);
    expect(s.altScreen).toBe(false);
    expect(s.cursorVisible).toBe(true);
    expect(s.line(0)).toBe('shell$ ok');
  });

  it('reassembles escape sequences split across chunks and ignores SGR, OSC and charset escapes', () => {
    const s = createScreen(20, 2);
    for (const ch of `${ESC}[1m${ESC}[3`) s.write(ch);
    s.write(`6mred${ESC}[39m${ESC}]0;title\x07${ESC}(B ok${ESC}[?2026h${ESC}[?2026l`);
    expect(s.line(0)).toBe('red ok');
  });

  it('gives glyphs one cell and wide characters two', () => {
    const s = createScreen(10, 1);
    s.write('✓▶·界x');
    expect(s.line(0)).toBe('✓▶·界x');
    expect(s.cursor.col).toBe(6);
  });

  it('reports a synchronized update (ESC[?2026h .. l) while it lasts', () => {
    const s = createScreen(10, 2);
    s.write(`${ESC}[?2026hhalf`);
    expect(s.syncing).toBe(true);
    s.write(`${ESC}[?2026l`);
    expect(s.syncing).toBe(false);
  });

  it('tracks application cursor keys mode and resizes', () => {
    const s = createScreen(10, 2);
    s.write(`${ESC}[?1h`);
    expect(s.appCursorKeys).toBe(true);
    s.write(`abc${ESC}[?1l`);
    expect(s.appCursorKeys).toBe(false);
    s.resize(2, 3);
    expect(s.lines()).toEqual(['ab', '', '']);
    expect(s.cursor.col).toBe(1);
  });
});
