/**
 * Monochrome: NO_COLOR / TERM=dumb / not a TTY turn colour off, and with colour off no frame carries
 * an SGR colour code. chalk (inside Ink) would colour here only when forced, so FORCE_COLOR is set
 * before Ink loads; the colour-on frame proves the check can fail.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const hadForceColor = process.env.FORCE_COLOR;
process.env.FORCE_COLOR = '3';
afterAll(() => {
  if (hadForceColor === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = hadForceColor;
});

type Harness = typeof import('./harness.js');
let h: Harness;
let colorEnabled: typeof import('../../source/ui/index.js').colorEnabled;

beforeAll(async () => {
  h = await import('./harness.js');
  ({ colorEnabled } = await import('../../source/ui/index.js'));
});

/** SGR sequences that set a foreground or background colour (30-37, 38;x, 39 excluded, 40-47, 48;x, 90-97, 100-107). */
function colourCodes(frame: string): string[] {
  const out: string[] = [];
  for (const m of frame.matchAll(/\x1b\[([0-9;]*)m/g)) {
    const parts = m[1].split(';').map(Number);
    if (
      parts.some(
        (p) =>
          (p >= 30 && p <= 38) ||
          (p >= 40 && p <= 48) ||
          (p >= 90 && p <= 97) ||
          (p >= 100 && p <= 107),
      )
    )
      out.push(m[0]);
  }
  return out;
}

describe('colorEnabled', () => {
  test('NO_COLOR (any value, even empty) turns colour off', () => {
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
  });
  test('TERM=dumb and a non-TTY stdout turn colour off', () => {
    expect(colorEnabled({ TERM: 'dumb' }, true)).toBe(false);
    expect(colorEnabled({ TERM: 'xterm-256color' }, false)).toBe(false);
  });
  test('a TTY with no NO_COLOR has colour', () => {
    expect(colorEnabled({ TERM: 'xterm-256color' }, true)).toBe(true);
  });
});

describe('consoleColor (the decision backfill, console and console --attach make)', () => {
  test('follows colorEnabled on an interactive console and is off otherwise', async () => {
    const { consoleColor } = await import('../../source/commands/common.js');
    expect(consoleColor(true, { TERM: 'xterm-256color' }, true)).toBe(true);
    expect(consoleColor(true, { TERM: 'xterm-256color', NO_COLOR: '' }, true)).toBe(false);
    expect(consoleColor(true, { TERM: 'dumb' }, true)).toBe(false);
    expect(consoleColor(true, { TERM: 'xterm-256color' }, false)).toBe(false);
    expect(consoleColor(false, { TERM: 'xterm-256color' }, true)).toBe(false);
  });
});

describe('consoleOutput (the one TTY decision of backfill, console and console --attach)', () => {
  test('the console only on two TTYs, outside CI, with tui on and no --json; colour follows consoleColor', async () => {
    const { consoleOutput } = await import('../../source/commands/common.js');
    const tty = { env: { TERM: 'xterm-256color' }, stdoutIsTTY: true, stdinIsTTY: true };
    expect(consoleOutput({ tui: true }, tty)).toEqual({
      interactive: true,
      output: 'tui',
      color: true,
    });
    expect(
      consoleOutput({ tui: true }, { ...tty, env: { TERM: 'xterm-256color', NO_COLOR: '' } }),
    ).toEqual({ interactive: true, output: 'tui', color: false });
    expect(consoleOutput({ tui: false }, tty)).toEqual({
      interactive: false,
      output: 'plain',
      color: false,
    });
    expect(consoleOutput({}, tty)).toEqual({ interactive: false, output: 'plain', color: false });
    expect(consoleOutput({ tui: true, json: true }, tty)).toEqual({
      interactive: false,
      output: 'json',
      color: false,
    });
    expect(
      consoleOutput({ tui: true }, { ...tty, env: { TERM: 'xterm-256color', CI: '1' } }),
    ).toEqual({ interactive: false, output: 'plain', color: false });
    expect(consoleOutput({ tui: true }, { ...tty, stdinIsTTY: false })).toEqual({
      interactive: false,
      output: 'plain',
      color: false,
    });
    expect(consoleOutput({ tui: true }, { ...tty, stdoutIsTTY: false })).toEqual({
      interactive: false,
      output: 'plain',
      color: false,
    });
  });
});

describe('frames', () => {
  test('colour on draws colour codes; NO_COLOR draws none in any screen', async () => {
    const snap = h.makeSnapshot({ alerts: [h.CRITICAL] });
    const on = h.mount(new h.FakeSource(snap), { columns: 120, rows: 40, color: true });
    await h.tick();
    expect(colourCodes(on.frame()).length).toBeGreaterThan(0);
    on.instance.unmount();

    const off = h.mount(new h.FakeSource(snap), {
      columns: 120,
      rows: 40,
      color: colorEnabled({ NO_COLOR: '' }, true),
    });
    await h.tick();
    for (const k of ['?', 'q', '\r', 'q', 'R', 'n', '/', 'q', 'q']) await off.press(k);
    off.stdout.resize(60, 20);
    await h.waitFor(() => off.frame().includes('too small'), 'too small');
    expect(off.stdout.frames.length).toBeGreaterThan(5);
    for (const f of off.stdout.frames) expect(colourCodes(f)).toEqual([]);
    // the CRITICAL banner still reads as critical without colour
    expect(off.stdout.frames.some((f) => h.plain(f).includes('! CRITICAL'))).toBe(true);
    off.instance.unmount();
  });
});
