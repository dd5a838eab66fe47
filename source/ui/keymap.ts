/**
 * The one key registry of the console (docs/console.md "Keys"). The footer, the `?` help overlay and the
 * docs are generated from {@link KEYMAP}; {@link assertNoDuplicateKeys} fails on a key bound twice in
 * the same scope. No binding is ESC-only and none uses Alt/Meta (tmux holds ESC back).
 *
 * Over 400 lines: the one key registry: footer, help overlay and README key table are generated
 * from this table, so it must stay a single list; most of its length is the bindings themselves.
 */
import type { Key } from 'ink';

/** Every action a key can trigger. */
export type ActionId =
  | 'pause'
  | 'resume'
  | 'stop'
  | 'rerun'
  | 'rerun-exhaustive'
  | 'validate'
  | 'validate-range'
  | 'mark'
  | 'export'
  | 'ack'
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'page-up'
  | 'page-down'
  | 'detail'
  | 'focus'
  | 'follow'
  | 'filter'
  | 'help'
  | 'health'
  | 'quit'
  | 'close'
  | 'yes'
  | 'no'
  | 'quit-stop'
  | 'quit-detach'
  | 'filter-status'
  | 'filter-hits'
  | 'filter-misses'
  | 'filter-clear'
  | 'filter-erase'
  | 'apply';

/**
 * Where a binding applies: the main screen, any overlay (help, detail), a y/n prompt, the quit
 * prompt, or the filter prompt (where digits and `-` type a date prefix).
 */
export type KeyScope = 'main' | 'overlay' | 'confirm' | 'quit' | 'filter';

/** One physical key: a printable input character, a named key, or Ctrl+letter. */
export type KeySpec =
  | { input: string }
  | {
      named:
        | 'upArrow'
        | 'downArrow'
        | 'leftArrow'
        | 'rightArrow'
        | 'pageUp'
        | 'pageDown'
        | 'return'
        | 'tab'
        | 'backspace'
        | 'end'
        | 'escape';
    }
  | { ctrl: string };

/** A binding of the registry. */
export interface KeyBinding {
  action: ActionId;
  scope: KeyScope;
  keys: KeySpec[];
  /** Short label for the footer (`pause`). */
  label: string;
  /** One line for the help overlay. */
  help: string;
  /** True when the action sends a ControlCommand (disabled in read-only mode). */
  command: boolean;
  /** Footer position priority: lower shows first when space is short; undefined = not in the footer. */
  footer?: number;
}

const k = (input: string): KeySpec => ({ input });
const n = (named: Extract<KeySpec, { named: string }>['named']): KeySpec => ({ named });

/** The registry: order is the footer and help order. */
export const KEYMAP: readonly KeyBinding[] = [
  {
    action: 'pause',
    scope: 'main',
    keys: [k('p')],
    label: 'pause',
    help: 'pause: take no new work, let in-flight requests finish',
    command: true,
    footer: 1,
  },
  {
    action: 'resume',
    scope: 'main',
    keys: [k('r'), k(' ')],
    label: 'resume',
    help: 'resume a paused or halted backfill',
    command: true,
    footer: 2,
  },
  {
    action: 'stop',
    scope: 'main',
    keys: [k('s')],
    label: 'stop',
    help: 'stop: abort in-flight requests; the current day reruns on resume',
    command: true,
    footer: 3,
  },
  {
    action: 'rerun',
    scope: 'main',
    keys: [k('R')],
    label: 'rerun',
    help: 'rerun the selected day (asks to confirm when COMPLETE)',
    command: true,
    footer: 4,
  },
  {
    action: 'rerun-exhaustive',
    scope: 'main',
    keys: [k('X')],
    label: 'exhaustive',
    help: 'rerun the selected day exhaustively (R1_MODE=exhaustive; asks to confirm when COMPLETE)',
    command: true,
  },
  {
    action: 'validate',
    scope: 'main',
    keys: [k('v')],
    label: 'validate',
    help: 'validate the selected day (gates + baseline + audit)',
    command: true,
    footer: 5,
  },
  {
    action: 'validate-range',
    scope: 'main',
    keys: [k('V')],
    label: 'validate range',
    help: 'validate the scanned days of the marked range (or the month) that pass the filter; the prompt shows how many, in which ranges',
    command: true,
  },
  {
    action: 'mark',
    scope: 'main',
    keys: [k('m')],
    label: 'mark',
    help: 'mark the start of a range for V and e (m again clears)',
    command: false,
  },
  {
    action: 'export',
    scope: 'main',
    keys: [k('e')],
    label: 'export',
    help: 'export the marked range, or the selected month (the prompt shows the days and the files)',
    command: true,
    footer: 6,
  },
  {
    action: 'ack',
    scope: 'main',
    keys: [k('a')],
    label: 'ack',
    help: 'acknowledge the alert on screen',
    command: true,
    footer: 7,
  },
  {
    action: 'up',
    scope: 'main',
    keys: [n('upArrow'), k('k')],
    label: 'up',
    help: 'grid: previous month; log: scroll up (stops following)',
    command: false,
  },
  {
    action: 'down',
    scope: 'main',
    keys: [n('downArrow'), k('j')],
    label: 'down',
    help: 'grid: next month; log: scroll down',
    command: false,
  },
  {
    action: 'left',
    scope: 'main',
    keys: [n('leftArrow'), k('h')],
    label: 'left',
    help: 'grid: previous day',
    command: false,
  },
  {
    action: 'right',
    scope: 'main',
    keys: [n('rightArrow'), k('l')],
    label: 'right',
    help: 'grid: next day',
    command: false,
  },
  {
    action: 'page-up',
    scope: 'main',
    keys: [n('pageUp')],
    label: 'page up',
    help: 'log: page up (stops following; "N new lines" counts what arrives)',
    command: false,
  },
  {
    action: 'page-down',
    scope: 'main',
    keys: [n('pageDown')],
    label: 'page down',
    help: 'log: page down (at the end it follows again)',
    command: false,
  },
  {
    action: 'detail',
    scope: 'main',
    keys: [n('return')],
    label: 'detail',
    help: 'day detail of the selected day (alerts focus: go to the alert day)',
    command: false,
  },
  {
    action: 'focus',
    scope: 'main',
    keys: [n('tab')],
    label: 'focus',
    help: 'move focus: grid -> log -> alerts',
    command: false,
    footer: 9,
  },
  {
    action: 'follow',
    scope: 'main',
    keys: [k('f'), n('end')],
    label: 'follow',
    help: 'follow the log again',
    command: false,
  },
  {
    action: 'filter',
    scope: 'main',
    keys: [k('/')],
    label: 'filter',
    help: 'filter days: status, has hits, has misses, date prefix',
    command: false,
    footer: 8,
  },
  {
    action: 'help',
    scope: 'main',
    keys: [k('?')],
    label: 'help',
    help: 'this help: every key and the glyph legend',
    command: false,
    footer: 0,
  },
  {
    action: 'health',
    scope: 'main',
    keys: [k('H')],
    label: 'health',
    help: 'health checks (as gapctl health: services, store, disk, lock, last day, SLA, audits, backup), run by the engine; H again or ESC closes',
    command: false,
    footer: 10,
  },
  {
    action: 'quit',
    scope: 'main',
    keys: [k('q'), { ctrl: 'c' }],
    label: 'quit',
    help: 'quit: asks to [s]top the engine or [d]etach and leave it running',
    command: false,
    footer: 0,
  },
  {
    action: 'close',
    scope: 'overlay',
    keys: [n('backspace'), k('q'), n('escape')],
    label: 'close',
    help: 'close the overlay (backspace or q; ESC also works)',
    command: false,
  },
  {
    action: 'health',
    scope: 'overlay',
    keys: [k('H')],
    label: 'health',
    help: 'health overlay: close it; other overlays: open it (checks again)',
    command: false,
  },
  {
    action: 'up',
    scope: 'overlay',
    keys: [n('upArrow'), k('k')],
    label: 'up',
    help: 'scroll up',
    command: false,
  },
  {
    action: 'down',
    scope: 'overlay',
    keys: [n('downArrow'), k('j')],
    label: 'down',
    help: 'scroll down',
    command: false,
  },
  {
    action: 'page-up',
    scope: 'overlay',
    keys: [n('pageUp')],
    label: 'log up',
    help: 'day detail: scroll its log up; help: page up',
    command: false,
  },
  {
    action: 'page-down',
    scope: 'overlay',
    keys: [n('pageDown')],
    label: 'log down',
    help: 'day detail: scroll its log down; help: page down',
    command: false,
  },
  {
    action: 'follow',
    scope: 'overlay',
    keys: [k('f'), n('end')],
    label: 'log end',
    help: 'day detail: back to the end of its log',
    command: false,
  },
  {
    action: 'quit',
    scope: 'overlay',
    keys: [{ ctrl: 'c' }],
    label: 'quit',
    help: 'quit',
    command: false,
  },
  {
    action: 'yes',
    scope: 'confirm',
    keys: [k('y'), n('return')],
    label: 'yes',
    help: 'confirm',
    command: false,
  },
  {
    action: 'no',
    scope: 'confirm',
    keys: [k('n'), k('q'), n('backspace'), n('escape')],
    label: 'no',
    help: 'cancel',
    command: false,
  },
  {
    action: 'quit',
    scope: 'confirm',
    keys: [{ ctrl: 'c' }],
    label: 'quit',
    help: 'quit',
    command: false,
  },
  {
    action: 'quit-stop',
    scope: 'quit',
    keys: [k('s'), { ctrl: 'c' }],
    label: 'stop engine',
    help: 'quit and stop the engine cleanly (Ctrl+C again does this too)',
    command: false,
  },
  {
    action: 'quit-detach',
    scope: 'quit',
    keys: [k('d')],
    label: 'detach',
    help: 'quit and leave the engine running',
    command: false,
  },
  {
    action: 'no',
    scope: 'quit',
    keys: [k('n'), k('q'), n('backspace'), n('escape')],
    label: 'cancel',
    help: 'stay in the console',
    command: false,
  },
  {
    action: 'filter-status',
    scope: 'filter',
    keys: [k('s')],
    label: 'status',
    help: 'cycle the status filter (any, complete, running, ...)',
    command: false,
  },
  {
    action: 'filter-hits',
    scope: 'filter',
    keys: [k('h')],
    label: 'has hits',
    help: 'toggle: only days with hits',
    command: false,
  },
  {
    action: 'filter-misses',
    scope: 'filter',
    keys: [k('m')],
    label: 'has misses',
    help: 'toggle: only days with baseline-only misses',
    command: false,
  },
  {
    action: 'filter-clear',
    scope: 'filter',
    keys: [k('x')],
    label: 'clear',
    help: 'clear the filter',
    command: false,
  },
  {
    action: 'filter-erase',
    scope: 'filter',
    keys: [n('backspace')],
    label: 'erase',
    help: 'erase a character of the date prefix (closes when empty)',
    command: false,
  },
  {
    action: 'apply',
    scope: 'filter',
    keys: [n('return')],
    label: 'apply',
    help: 'apply the filter; digits and - type a date prefix',
    command: false,
  },
  {
    action: 'close',
    scope: 'filter',
    keys: [k('q'), n('escape')],
    label: 'close',
    help: 'close the filter prompt (keeps the filter)',
    command: false,
  },
  {
    action: 'quit',
    scope: 'filter',
    keys: [{ ctrl: 'c' }],
    label: 'quit',
    help: 'quit',
    command: false,
  },
];

/** A stable string for a key spec (`i:p`, `n:return`, `c:c`), used for the duplicate check. */
export function keyId(spec: KeySpec): string {
  if ('input' in spec) return `i:${spec.input}`;
  if ('named' in spec) return `n:${spec.named}`;
  return `c:${spec.ctrl}`;
}

/**
 * Throws `Error("duplicate key <key> in scope <scope>: <a> and <b>")` when a key is bound twice in
 * one scope; returns nothing otherwise. Also throws when a binding's only key is ESC.
 */
export function assertNoDuplicateKeys(bindings: readonly KeyBinding[] = KEYMAP): void {
  const seen = new Map<string, ActionId>();
  for (const b of bindings) {
    if (b.keys.length === 0) throw new Error(`binding ${b.action} in scope ${b.scope} has no key`);
    if (b.keys.every((s) => 'named' in s && s.named === 'escape'))
      throw new Error(`binding ${b.action} in scope ${b.scope} is ESC-only`);
    for (const s of b.keys) {
      const id = `${b.scope}/${keyId(s)}`;
      const prev = seen.get(id);
      if (prev !== undefined)
        throw new Error(`duplicate key ${keyName(s)} in scope ${b.scope}: ${prev} and ${b.action}`);
      seen.set(id, b.action);
    }
  }
}

/** The name of a key as the footer and help show it (`p`, `space`, `↑`, `enter`, `Ctrl+C`). */
export function keyName(spec: KeySpec): string {
  if ('input' in spec) return spec.input === ' ' ? 'space' : spec.input;
  if ('ctrl' in spec) return `Ctrl+${spec.ctrl.toUpperCase()}`;
  switch (spec.named) {
    case 'upArrow':
      return '↑';
    case 'downArrow':
      return '↓';
    case 'leftArrow':
      return '←';
    case 'rightArrow':
      return '→';
    case 'pageUp':
      return 'PgUp';
    case 'pageDown':
      return 'PgDn';
    case 'return':
      return 'enter';
    case 'tab':
      return 'tab';
    case 'backspace':
      return 'backspace';
    case 'end':
      return 'End';
    case 'escape':
      return 'ESC';
  }
}

/** True when the Ink key event is this spec. Backspace also matches DEL (0x7f, which Ink calls delete). */
function matches(spec: KeySpec, input: string, key: Key): boolean {
  if ('ctrl' in spec) return key.ctrl && input === spec.ctrl;
  if ('input' in spec) return !key.ctrl && !key.meta && input === spec.input;
  switch (spec.named) {
    case 'backspace':
      return key.backspace || key.delete;
    case 'tab':
      return key.tab && !key.shift;
    default:
      return key[spec.named] === true;
  }
}

/** The action bound to this key in `scope`, or null. */
export function matchKey(
  scope: KeyScope,
  input: string,
  key: Key,
  bindings: readonly KeyBinding[] = KEYMAP,
): KeyBinding | null {
  for (const b of bindings) {
    if (b.scope !== scope) continue;
    if (b.keys.some((s) => matches(s, input, key))) return b;
  }
  return null;
}

/** The binding of `action` in `scope` (undefined when there is none). */
export function bindingOf(action: ActionId, scope: KeyScope = 'main'): KeyBinding | undefined {
  return KEYMAP.find((b) => b.action === action && b.scope === scope);
}

/** `p`, `r/space`, `↑/k`: the keys of a binding joined by `/`. */
export function keysLabel(b: KeyBinding): string {
  return b.keys.map(keyName).join('/');
}

/**
 * The footer: `key label` items of the main scope, as many as fit in `width` columns (two spaces
 * apart), chosen by footer priority and shown in registry order. In read-only mode command keys are
 * left out and `read-only` is shown first.
 */
export function footerText(width: number, readOnly = false): string {
  const items = KEYMAP.filter(
    (b) => b.scope === 'main' && b.footer !== undefined && !(readOnly && b.command),
  );
  const byPriority = [...items].sort((a, b) => (a.footer ?? 0) - (b.footer ?? 0));
  const chosen = new Set<KeyBinding>();
  let used = readOnly ? 'read-only'.length : 0;
  for (const b of byPriority) {
    const text = `${b.keys.map(keyName)[0]} ${b.label}`;
    const add = (used === 0 ? 0 : 2) + text.length;
    if (used + add > width) continue;
    used += add;
    chosen.add(b);
  }
  const parts = items.filter((b) => chosen.has(b)).map((b) => `${keyName(b.keys[0])} ${b.label}`);
  if (readOnly) parts.unshift('read-only');
  return parts.join('  ');
}

/** Help lines `keys  text` for one scope, keys padded to a common width. */
export function helpLines(scope: KeyScope = 'main'): string[] {
  const items = KEYMAP.filter((b) => b.scope === scope);
  const w = Math.max(...items.map((b) => keysLabel(b).length));
  return items.map((b) => `${keysLabel(b).padEnd(w)}  ${b.help}`);
}

/** Titles of the scopes in the help overlay and the README. */
export const SCOPE_TITLES: Readonly<Record<KeyScope, string>> = {
  main: 'main screen',
  overlay: 'overlays (help, day detail, health)',
  confirm: 'confirm prompt',
  quit: 'quit prompt',
  filter: 'filter prompt',
};

/** Markers around the generated keys section of README.md. */
export const README_KEYS_BEGIN =
  '<!-- keys:begin (generated from source/ui/keymap.ts by readmeKeysSection(); test/ui/keymap.test.ts fails when it differs) -->';
/** End marker of the generated keys section. */
export const README_KEYS_END = '<!-- keys:end -->';

/**
 * The keys section of README.md between {@link README_KEYS_BEGIN} and {@link README_KEYS_END}:
 * a table of the main screen's keys, then one line per other scope. Regenerate after a build with
 * `node -e "import('./dist/ui/keymap.js').then((m) => console.log(m.readmeKeysSection()))"`.
 */
export function readmeKeysSection(bindings: readonly KeyBinding[] = KEYMAP): string {
  const keys = (b: KeyBinding) => b.keys.map((s) => `\`${keyName(s)}\``).join(' / ');
  const main = bindings.filter((b) => b.scope === 'main');
  const lines = [
    README_KEYS_BEGIN,
    '',
    '| key | action |',
    '|---|---|',
    ...main.map((b) => `| ${keys(b)} | ${b.help} |`),
    '',
  ];
  for (const scope of ['overlay', 'confirm', 'quit', 'filter'] as const) {
    const items = bindings.filter((b) => b.scope === scope);
    lines.push(
      `- ${SCOPE_TITLES[scope]}: ${items.map((b) => `${keys(b)} ${b.label}`).join(' · ')}`,
    );
  }
  lines.push('', README_KEYS_END);
  return lines.join('\n');
}
