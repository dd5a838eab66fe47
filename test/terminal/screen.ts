/**
 * The headless terminal of the real-terminal tests: `@xterm/headless` (xterm.js without a renderer)
 * turns the byte stream a program writes to a pty into a grid of cells, behind the small
 * {@link TerminalScreen} interface the tests and bench/console-keys.js read. xterm.js does the
 * parsing (every VT sequence Ink emits, wide characters, deferred wrap, the alternate screen,
 * synchronized output ?2026); this module adds only what xterm does not expose: cursor visibility
 * (?25, tracked with a CSI handler), and counters of scrolled lines, full-screen erases and bells.
 *
 * xterm parses asynchronously: {@link TerminalScreen.write} calls back and resolves once its chunk
 * is parsed (chunks are parsed in the order written), and the getters read the state as of the last
 * parsed chunk. (It replaced a hand-written VT parser of about 490 lines: docs/console.md, "Terminal
 * tests".)
 */
import xterm from '@xterm/headless';

const { Terminal } = xterm;

/** What the tests need from a terminal emulator. Rows and columns count from 0. */
export interface TerminalScreen {
  readonly cols: number;
  readonly rows: number;
  /**
   * Feed program output (a decoded string chunk; an escape sequence may be split across chunks).
   * Chunks are parsed in the order written, later (xterm parses asynchronously): `parsed` is called
   * right after this chunk is parsed and before any later one is, so it sees the screen exactly as
   * this chunk left it; the promise resolves after that (by then later chunks may be parsed too).
   */
  write(data: string, parsed?: () => void): Promise<void>;
  /** Change the size (the normal buffer reflows like a real terminal's; the cursor is clamped). */
  resize(cols: number, rows: number): void;
  /** The visible lines of the active buffer, trailing blanks trimmed. */
  lines(): string[];
  /** One visible line, trailing blanks trimmed ('' outside the screen). */
  line(row: number): string;
  /** The visible lines joined with '\n'. */
  text(): string;
  /** Index of the last visible row that is not blank, or -1 when the screen is blank. */
  lastUsedRow(): number;
  /** Cursor position in the active buffer. */
  readonly cursor: { row: number; col: number };
  /** True while the alternate screen (?1049h) is active. */
  readonly altScreen: boolean;
  /** False after ESC[?25l until ESC[?25h. */
  readonly cursorVisible: boolean;
  /**
   * True inside a synchronized update (ESC[?2026h .. ESC[?2026l, which Ink wraps around each frame):
   * a terminal that supports it shows nothing of the frame until it ends, so tests should not read
   * the screen then.
   */
  readonly syncing: boolean;
  /** True after ESC[?1h (cursor keys send ESC O x instead of ESC [ x). */
  readonly appCursorKeys: boolean;
  /** Counters: lines scrolled off the top (of any buffer, and of the alternate screen), full-screen erases (ESC[2J), bells. */
  readonly stats: { scrolls: number; altScrolls: number; clears: number; bells: number };
}

/** {@link TerminalScreen} over an `@xterm/headless` Terminal; see the module doc. */
export class XtermScreen implements TerminalScreen {
  private readonly term: InstanceType<typeof Terminal>;
  private cursorHidden = false;
  /** Buffer type at the last scroll event: xterm also fires onScroll when a buffer is activated. */
  private lastType: 'normal' | 'alternate' = 'normal';
  /** onScroll events to ignore: the one erasing the scrollback (ESC[3J) fires. */
  private ignoreScrolls = 0;
  private resizing = false;
  readonly stats = { scrolls: 0, altScrolls: 0, clears: 0, bells: 0 };

  constructor(cols: number, rows: number) {
    this.term = new Terminal({ cols, rows, scrollback: 100, allowProposedApi: true });
    // onScroll fires once per line scrolled by a line feed (LF, IND, NEL at the bottom margin), and
    // also when a buffer is activated, on resize and on ESC[3J: only the first kind is counted.
    this.term.onScroll(() => {
      const type = this.term.buffer.active.type;
      if (type !== this.lastType) this.lastType = type;
      else if (this.resizing) return;
      else if (this.ignoreScrolls > 0) this.ignoreScrolls--;
      else this.countScroll(1);
    });
    this.term.onBell(() => this.stats.bells++);
    const parser = this.term.parser;
    const cursorMode =
      (on: boolean) =>
      (params: (number | number[])[]): boolean => {
        if (params.includes(25)) this.cursorHidden = !on;
        return false; // xterm's own handler runs too
      };
    parser.registerCsiHandler({ prefix: '?', final: 'h' }, cursorMode(true));
    parser.registerCsiHandler({ prefix: '?', final: 'l' }, cursorMode(false));
    parser.registerCsiHandler({ final: 'J' }, (params) => {
      if (params[0] === 2) this.stats.clears++;
      // xterm drops the scrollback and fires one onScroll when there is any
      if (params[0] === 3 && this.term.buffer.active.length > this.rows) this.ignoreScrolls++;
      return false;
    });
    parser.registerCsiHandler({ final: 'S' }, (params) => {
      // scroll up (SU) moves lines off the top without an onScroll event
      const n = params[0];
      this.countScroll(typeof n === 'number' && n > 0 ? n : 1);
      return false;
    });
    parser.registerEscHandler({ final: 'c' }, () => {
      this.cursorHidden = false; // RIS: full reset
      return false;
    });
  }

  private countScroll(n: number): void {
    this.stats.scrolls += n;
    if (this.altScreen) this.stats.altScrolls += n;
  }

  get cols(): number {
    return this.term.cols;
  }
  get rows(): number {
    return this.term.rows;
  }
  get cursor(): { row: number; col: number } {
    const b = this.term.buffer.active;
    return { row: b.cursorY, col: Math.min(b.cursorX, this.cols - 1) };
  }
  get altScreen(): boolean {
    return this.term.buffer.active.type === 'alternate';
  }
  get cursorVisible(): boolean {
    return !this.cursorHidden;
  }
  get syncing(): boolean {
    return this.term.modes.synchronizedOutputMode;
  }
  get appCursorKeys(): boolean {
    return this.term.modes.applicationCursorKeysMode;
  }

  write(data: string, parsed?: () => void): Promise<void> {
    return new Promise((resolve) =>
      this.term.write(data, () => {
        parsed?.();
        resolve();
      }),
    );
  }

  resize(cols: number, rows: number): void {
    this.resizing = true; // xterm fires onScroll from inside resize
    try {
      this.term.resize(cols, rows);
    } finally {
      this.resizing = false;
    }
  }

  line(row: number): string {
    if (row < 0 || row >= this.rows) return '';
    const b = this.term.buffer.active;
    // translateToString(true) keeps spaces a program wrote (Ink pads some lines): trim them too
    return (b.getLine(b.baseY + row)?.translateToString(true) ?? '').replace(/\s+$/, '');
  }

  lines(): string[] {
    return Array.from({ length: this.rows }, (_, i) => this.line(i));
  }

  text(): string {
    return this.lines().join('\n');
  }

  lastUsedRow(): number {
    for (let r = this.rows - 1; r >= 0; r--) if (this.line(r).trim() !== '') return r;
    return -1;
  }
}

/** A new emulator of `cols` x `rows`. */
export function createScreen(cols: number, rows: number): TerminalScreen {
  return new XtermScreen(cols, rows);
}
