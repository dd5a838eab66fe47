/**
 * A small headless terminal for the real-terminal tests: turns the byte stream a program writes to
 * a pty into a grid of character cells, enough for what Ink emits. Handles printable text (UTF-8
 * already decoded by node-pty; wide CJK/emoji take two cells), CR/LF/BS/TAB/BEL, deferred
 * auto-wrap, scrolling at the bottom row, CSI cursor moves (A B C D E F G H f d), erase (J K X),
 * insert/delete (L M @ P), scroll (S T), save/restore cursor (ESC 7/8, CSI s/u), private modes
 * (?1049 / ?1047 / ?47 alternate screen, ?25 cursor, ?1 application cursor keys, ?2026
 * synchronized update, the rest recorded), SGR (ignored: the tests read text, never colour), OSC/DCS (skipped) and escape
 * sequences split across chunks.
 *
 * Written against the tiny {@link TerminalScreen} interface so it can be swapped for
 * `@xterm/headless` if that is ever added as a devDependency.
 */

/** What the tests need from a terminal emulator. Rows and columns count from 0. */
export interface TerminalScreen {
  readonly cols: number;
  readonly rows: number;
  /** Feed program output (a decoded string chunk; an escape sequence may be split across chunks). */
  write(data: string): void;
  /** Change the size (the content is kept, cut or padded; the cursor is clamped). */
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

type Cell = string;

class Buffer {
  cells: Cell[][];
  row = 0;
  col = 0;
  wrapPending = false;
  saved: { row: number; col: number } | null = null;

  constructor(
    public cols: number,
    public rows: number,
  ) {
    this.cells = Array.from({ length: rows }, () => this.blankRow());
  }

  blankRow(): Cell[] {
    return Array.from({ length: this.cols }, () => ' ');
  }

  resize(cols: number, rows: number): void {
    const next: Cell[][] = [];
    for (let r = 0; r < rows; r++) {
      const old = this.cells[r];
      const row: Cell[] = [];
      for (let c = 0; c < cols; c++) row.push(old?.[c] ?? ' ');
      next.push(row);
    }
    this.cells = next;
    this.cols = cols;
    this.rows = rows;
    this.row = Math.min(this.row, rows - 1);
    this.col = Math.min(this.col, cols - 1);
    this.wrapPending = false;
  }
}

/** Display width of one code point: 2 for East Asian wide and most emoji, 0 for combining marks, else 1. */
export function cellWidth(cp: number): number {
  if (cp === 0x200b || (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

type ParseState = 'ground' | 'esc' | 'escInter' | 'csi' | 'osc' | 'oscEsc' | 'dcs' | 'dcsEsc';

/** The emulator; see the module doc. */
export class VtScreen implements TerminalScreen {
  private main: Buffer;
  private alt: Buffer;
  private active: Buffer;
  private state: ParseState = 'ground';
  private seq = '';
  private modes = new Map<number, boolean>();
  readonly stats = { scrolls: 0, altScrolls: 0, clears: 0, bells: 0 };

  constructor(
    public cols: number,
    public rows: number,
  ) {
    this.main = new Buffer(cols, rows);
    this.alt = new Buffer(cols, rows);
    this.active = this.main;
  }

  get cursor(): { row: number; col: number } {
    return { row: this.active.row, col: this.active.col };
  }
  get altScreen(): boolean {
    return this.active === this.alt;
  }
  get cursorVisible(): boolean {
    return this.modes.get(25) ?? true;
  }
  get syncing(): boolean {
    return this.modes.get(2026) ?? false;
  }
  get appCursorKeys(): boolean {
    return this.modes.get(1) ?? false;
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.main.resize(cols, rows);
    this.alt.resize(cols, rows);
  }

  line(row: number): string {
    const r = this.active.cells[row];
    if (!r) return '';
    return r.join('').replace(/\s+$/, '');
  }

  lines(): string[] {
    return this.active.cells.map((_, i) => this.line(i));
  }

  text(): string {
    return this.lines().join('\n');
  }

  lastUsedRow(): number {
    for (let r = this.rows - 1; r >= 0; r--) if (this.line(r).trim() !== '') return r;
    return -1;
  }

  write(data: string): void {
    for (const ch of data) this.feed(ch);
  }

  private feed(ch: string): void {
    const code = ch.codePointAt(0)!;
    switch (this.state) {
      case 'ground':
        if (code === 0x1b) {
          this.state = 'esc';
          this.seq = '';
        } else if (code < 0x20 || code === 0x7f) this.control(code);
        else this.print(ch, code);
        return;
      case 'esc':
        if (ch === '[') {
          this.state = 'csi';
          this.seq = '';
        } else if (ch === ']') this.state = 'osc';
        else if (ch === 'P') this.state = 'dcs';
        else if (code >= 0x20 && code <= 0x2f)
          this.state = 'escInter'; // ESC ( B and friends: one more byte
        else {
          this.state = 'ground';
          this.escape(ch);
        }
        return;
      case 'escInter':
        this.state = 'ground';
        return;
      case 'csi':
        if (code >= 0x40 && code <= 0x7e) {
          this.state = 'ground';
          this.csi(this.seq, ch);
        } else if (code === 0x1b) {
          this.state = 'esc'; // malformed: start over
        } else this.seq += ch;
        return;
      case 'osc':
        if (code === 0x07) this.state = 'ground';
        else if (code === 0x1b) this.state = 'oscEsc';
        return;
      case 'oscEsc':
        this.state = ch === '\\' ? 'ground' : 'osc';
        return;
      case 'dcs':
        if (code === 0x1b) this.state = 'dcsEsc';
        return;
      case 'dcsEsc':
        this.state = ch === '\\' ? 'ground' : 'dcs';
        return;
    }
  }

  private control(code: number): void {
    const b = this.active;
    switch (code) {
      case 0x07:
        this.stats.bells++;
        return;
      case 0x08:
        b.wrapPending = false;
        b.col = Math.max(0, b.col - 1);
        return;
      case 0x09:
        b.col = Math.min(this.cols - 1, (Math.floor(b.col / 8) + 1) * 8);
        return;
      case 0x0a:
      case 0x0b:
      case 0x0c:
        this.lineFeed();
        return;
      case 0x0d:
        b.wrapPending = false;
        b.col = 0;
        return;
      default:
        return;
    }
  }

  private lineFeed(): void {
    const b = this.active;
    b.wrapPending = false;
    if (b.row === this.rows - 1) this.scrollUp(1);
    else b.row++;
  }

  private scrollUp(n: number): void {
    const b = this.active;
    for (let i = 0; i < n; i++) {
      b.cells.shift();
      b.cells.push(b.blankRow());
      this.stats.scrolls++;
      if (b === this.alt) this.stats.altScrolls++;
    }
  }

  private scrollDown(n: number): void {
    const b = this.active;
    for (let i = 0; i < n; i++) {
      b.cells.pop();
      b.cells.unshift(b.blankRow());
    }
  }

  private print(ch: string, code: number): void {
    const b = this.active;
    const w = cellWidth(code);
    if (w === 0) return;
    if (b.wrapPending) {
      b.col = 0;
      this.lineFeed();
    }
    if (w === 2 && b.col === this.cols - 1) {
      b.cells[b.row][b.col] = ' ';
      b.col = 0;
      this.lineFeed();
    }
    b.cells[b.row][b.col] = ch;
    if (w === 2 && b.col + 1 < this.cols) b.cells[b.row][b.col + 1] = '';
    if (b.col + w >= this.cols) {
      b.col = this.cols - 1;
      b.wrapPending = true;
    } else b.col += w;
  }

  private escape(ch: string): void {
    const b = this.active;
    switch (ch) {
      case '7':
        b.saved = { row: b.row, col: b.col };
        return;
      case '8':
        if (b.saved) {
          b.row = b.saved.row;
          b.col = b.saved.col;
        }
        b.wrapPending = false;
        return;
      case 'M': // reverse index
        if (b.row === 0) this.scrollDown(1);
        else b.row--;
        return;
      case 'D':
        this.lineFeed();
        return;
      case 'E':
        b.col = 0;
        this.lineFeed();
        return;
      case 'c':
        this.main = new Buffer(this.cols, this.rows);
        this.alt = new Buffer(this.cols, this.rows);
        this.active = this.main;
        this.modes.clear();
        return;
      default:
        return; // ESC = / ESC > (keypad modes) and others: no effect on the text
    }
  }

  private eraseCells(row: number, from: number, to: number): void {
    const r = this.active.cells[row];
    for (let c = Math.max(0, from); c < Math.min(this.cols, to); c++) r[c] = ' ';
  }

  private csi(raw: string, final: string): void {
    const b = this.active;
    const priv = raw.startsWith('?')
      ? '?'
      : raw.startsWith('>') || raw.startsWith('=') || raw.startsWith('<')
        ? raw[0]
        : '';
    const body = priv ? raw.slice(1) : raw;
    if (/[ -/]/.test(body)) return; // intermediate bytes (e.g. CSI 2 q cursor shape): ignore
    const params =
      body === '' ? [] : body.split(';').map((p) => (p === '' ? NaN : Number(p.split(':')[0])));
    const p = (i: number, def: number): number => {
      const v = params[i];
      return v === undefined || Number.isNaN(v) || v === 0 ? def : v;
    };
    const p0 = (i: number): number => {
      const v = params[i];
      return v === undefined || Number.isNaN(v) ? 0 : v;
    };
    if (priv === '?') {
      if (final === 'h' || final === 'l') for (const m of params) this.setMode(m, final === 'h');
      return;
    }
    if (priv) return;
    const clampRow = (r: number) => Math.max(0, Math.min(this.rows - 1, r));
    const clampCol = (c: number) => Math.max(0, Math.min(this.cols - 1, c));
    if (final !== 'm') b.wrapPending = false;
    switch (final) {
      case 'A':
        b.row = clampRow(b.row - p(0, 1));
        return;
      case 'B':
      case 'e':
        b.row = clampRow(b.row + p(0, 1));
        return;
      case 'C':
      case 'a':
        b.col = clampCol(b.col + p(0, 1));
        return;
      case 'D':
        b.col = clampCol(b.col - p(0, 1));
        return;
      case 'E':
        b.row = clampRow(b.row + p(0, 1));
        b.col = 0;
        return;
      case 'F':
        b.row = clampRow(b.row - p(0, 1));
        b.col = 0;
        return;
      case 'G':
      case '`':
        b.col = clampCol(p(0, 1) - 1);
        return;
      case 'H':
      case 'f':
        b.row = clampRow(p(0, 1) - 1);
        b.col = clampCol(p(1, 1) - 1);
        return;
      case 'd':
        b.row = clampRow(p(0, 1) - 1);
        return;
      case 'J': {
        const mode = p0(0);
        if (mode === 0) {
          this.eraseCells(b.row, b.col, this.cols);
          for (let r = b.row + 1; r < this.rows; r++) this.eraseCells(r, 0, this.cols);
        } else if (mode === 1) {
          for (let r = 0; r < b.row; r++) this.eraseCells(r, 0, this.cols);
          this.eraseCells(b.row, 0, b.col + 1);
        } else {
          for (let r = 0; r < this.rows; r++) this.eraseCells(r, 0, this.cols);
          if (mode === 2) this.stats.clears++;
        }
        return;
      }
      case 'K': {
        const mode = p0(0);
        if (mode === 0) this.eraseCells(b.row, b.col, this.cols);
        else if (mode === 1) this.eraseCells(b.row, 0, b.col + 1);
        else this.eraseCells(b.row, 0, this.cols);
        return;
      }
      case 'X':
        this.eraseCells(b.row, b.col, b.col + p(0, 1));
        return;
      case 'P': {
        const r = b.cells[b.row];
        const n = Math.min(p(0, 1), this.cols - b.col);
        r.splice(b.col, n);
        for (let i = 0; i < n; i++) r.push(' ');
        return;
      }
      case '@': {
        const r = b.cells[b.row];
        const n = Math.min(p(0, 1), this.cols - b.col);
        r.splice(b.col, 0, ...Array.from({ length: n }, () => ' '));
        r.length = this.cols;
        return;
      }
      case 'L': {
        const n = Math.min(p(0, 1), this.rows - b.row);
        b.cells.splice(this.rows - n, n);
        b.cells.splice(b.row, 0, ...Array.from({ length: n }, () => b.blankRow()));
        return;
      }
      case 'M': {
        const n = Math.min(p(0, 1), this.rows - b.row);
        b.cells.splice(b.row, n);
        for (let i = 0; i < n; i++) b.cells.push(b.blankRow());
        return;
      }
      case 'S':
        this.scrollUp(p(0, 1));
        return;
      case 'T':
        this.scrollDown(p(0, 1));
        return;
      case 's':
        b.saved = { row: b.row, col: b.col };
        return;
      case 'u':
        if (b.saved) {
          b.row = b.saved.row;
          b.col = b.saved.col;
        }
        return;
      default:
        return; // m (SGR), r (scroll region, Ink never sets one), n (reports), t (window ops): ignored
    }
  }

  private setMode(mode: number, on: boolean): void {
    this.modes.set(mode, on);
    if (mode === 1049 || mode === 1047 || mode === 47) {
      if (on && this.active !== this.alt) {
        if (mode === 1049) this.main.saved = { row: this.main.row, col: this.main.col };
        this.alt = new Buffer(this.cols, this.rows);
        this.active = this.alt;
      } else if (!on && this.active === this.alt) {
        this.active = this.main;
        if (mode === 1049 && this.main.saved) {
          this.main.row = this.main.saved.row;
          this.main.col = this.main.saved.col;
        }
      }
    }
  }
}

/** A new emulator of `cols` x `rows`. */
export function createScreen(cols: number, rows: number): TerminalScreen {
  return new VtScreen(cols, rows);
}
