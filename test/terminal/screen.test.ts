/**
 * The terminal emulator of the real-terminal tests (./screen.ts: @xterm/headless behind the
 * TerminalScreen interface) on the sequences Ink emits, and the counters and modes the adapter adds.
 */
import { describe, expect, it } from 'vitest';
import { createScreen } from './screen.js';

const ESC = '\x1b';

describe('test terminal emulator', async () => {
  it('prints text, CR/LF, and scrolls at the bottom row', async () => {
    const s = createScreen(10, 3);
    await s.write('ab\r\ncd\r\nef\r\ngh');
    expect(s.lines()).toEqual(['cd', 'ef', 'gh']);
    expect(s.stats.scrolls).toBe(1);
    expect(s.cursor).toEqual({ row: 2, col: 2 });
  });

  it('defers the wrap at the last column (a full-width line then CR LF takes one row)', async () => {
    const s = createScreen(4, 3);
    await s.write('abcd\r\nef');
    expect(s.lines()).toEqual(['abcd', 'ef', '']);
    await s.write('ghi'); // e f g h fills the row, i wraps
    expect(s.lines()).toEqual(['abcd', 'efgh', 'i']);
  });

  it('erases lines and moves up like Ink log-update (ESC[2K ESC[1A ... ESC[G)', async () => {
    const s = createScreen(20, 5);
    await s.write('one\r\ntwo\r\nthree\r\n');
    await s.write(
      `${ESC}[2K${ESC}[1A${ESC}[2K${ESC}[1A${ESC}[2K${ESC}[1A${ESC}[2K${ESC}[GONE\r\nTWO\r\n`,
    );
    expect(s.lines()).toEqual(['ONE', 'TWO', '', '', '']);
    expect(s.lastUsedRow()).toBe(1);
  });

  it('handles absolute moves, erase to end of line/screen, and cursor save/restore', async () => {
    const s = createScreen(10, 4);
    await s.write(`${ESC}[2;3Hxy${ESC}[1;1Habcdef${ESC}[1;4H${ESC}[K`);
    expect(s.line(0)).toBe('abc');
    expect(s.line(1)).toBe('  xy');
    await s.write(`${ESC}7${ESC}[4;1Hzz${ESC}8q`);
    expect(s.line(0)).toBe('abcq');
    expect(s.line(3)).toBe('zz');
    await s.write(`${ESC}[2;1H${ESC}[J`);
    expect(s.lines()).toEqual(['abcq', '', '', '']);
    await s.write(`${ESC}[2J`);
    expect(s.stats.clears).toBe(1);
    expect(s.text().trim()).toBe('');
  });

  it('switches to the alternate screen and back, restoring the main screen and cursor', async () => {
    const s = createScreen(10, 3);
    await s.write('shell$ ');
    await s.write(`${ESC}[?1049h${ESC}[H${ESC}[?25lAPP`);
    expect(s.altScreen).toBe(true);
    expect(s.cursorVisible).toBe(false);
    expect(s.line(0)).toBe('APP');
    await s.write(`${ESC}[?25h${ESC}[?1049lok`);
    expect(s.altScreen).toBe(false);
    expect(s.cursorVisible).toBe(true);
    expect(s.line(0)).toBe('shell$ ok');
  });

  it('reassembles escape sequences split across chunks and ignores SGR, OSC and charset escapes', async () => {
    const s = createScreen(20, 2);
    for (const ch of `${ESC}[1m${ESC}[3`) void s.write(ch);
    await s.write(`6mred${ESC}[39m${ESC}]0;title\x07${ESC}(B ok${ESC}[?2026h${ESC}[?2026l`);
    expect(s.line(0)).toBe('red ok');
  });

  it('gives glyphs one cell and wide characters two', async () => {
    const s = createScreen(10, 1);
    await s.write('✓▶·界x');
    expect(s.line(0)).toBe('✓▶·界x');
    expect(s.cursor.col).toBe(6);
  });

  it('reports a synchronized update (ESC[?2026h .. l) while it lasts', async () => {
    const s = createScreen(10, 2);
    await s.write(`${ESC}[?2026hhalf`);
    expect(s.syncing).toBe(true);
    await s.write(`${ESC}[?2026l`);
    expect(s.syncing).toBe(false);
  });

  it('tracks application cursor keys mode and resizes', async () => {
    const s = createScreen(10, 2);
    await s.write(`${ESC}[?1h`);
    expect(s.appCursorKeys).toBe(true);
    await s.write(`abc${ESC}[?1l`);
    expect(s.appCursorKeys).toBe(false);
    s.resize(2, 3);
    expect(s.lines()).toEqual(['ab', '', '']);
    expect(s.cursor.col).toBe(1);
  });

  it('counts scrolls of the alternate screen apart, bells, and resets cursor visibility on RIS', async () => {
    const s = createScreen(10, 2);
    await s.write('a\r\nb\r\nc\x07');
    expect(s.stats).toEqual({ scrolls: 1, altScrolls: 0, clears: 0, bells: 1 });
    await s.write(`${ESC}[?1049h${ESC}[H${ESC}[?25lx\r\ny\r\nz`);
    expect(s.lines()).toEqual(['y', 'z']);
    expect(s.stats.scrolls).toBe(2);
    expect(s.stats.altScrolls).toBe(1);
    await s.write(`${ESC}[2S`);
    expect(s.stats.altScrolls).toBe(3);
    // entering and leaving the alternate screen, erasing (also the scrollback) and resizing are not scrolls
    await s.write(`${ESC}[H${ESC}[J${ESC}[?1049l${ESC}[3J`);
    s.resize(12, 3);
    s.resize(8, 3);
    await s.write('d');
    expect(s.stats.scrolls).toBe(4);
    await s.write('\r\n\r\n\r\n');
    expect(s.stats.scrolls).toBe(5);
    expect(s.cursorVisible).toBe(false);
    await s.write(`${ESC}c`);
    expect(s.cursorVisible).toBe(true);
  });

  it('resolves writes in order: a chunk split mid-sequence is parsed once its end arrives', async () => {
    const s = createScreen(10, 2);
    const seen: boolean[] = [];
    void s.write(`${ESC}[?10`, () => seen.push(s.altScreen));
    const second = s.write(`49hALT`, () => seen.push(s.altScreen));
    await second;
    expect(seen).toEqual([false, true]);
    expect(s.altScreen).toBe(true);
    expect(s.line(0)).toBe('ALT');
  });
});
