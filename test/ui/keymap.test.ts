import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Key } from 'ink';
import {
  assertNoDuplicateKeys,
  footerText,
  helpLines,
  KEYMAP,
  keyName,
  matchKey,
  README_KEYS_BEGIN,
  README_KEYS_END,
  readmeKeysSection,
  type ActionId,
  type KeyBinding,
  type KeyScope,
} from '../../source/ui/keymap.js';
import { helpContent } from '../../source/ui/screens/HelpScreen.js';
import { REPO_ROOT } from '../helpers/paths.js';

const noKey: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

describe('keymap', () => {
  test('the registry has no duplicate key in any scope', () => {
    expect(() => assertNoDuplicateKeys(KEYMAP)).not.toThrow();
  });
  test('the duplicate check fails on a key bound twice', () => {
    const dup: KeyBinding[] = [
      ...KEYMAP,
      {
        action: 'export',
        scope: 'main',
        keys: [{ input: 'p' }],
        label: 'x',
        help: 'x',
        command: true,
      },
    ];
    expect(() => assertNoDuplicateKeys(dup)).toThrow(
      /duplicate key p in scope main: pause and export/,
    );
  });
  test('no binding is ESC-only and none uses Alt/Meta', () => {
    const escOnly: KeyBinding[] = [
      {
        action: 'close',
        scope: 'overlay',
        keys: [{ named: 'escape' }],
        label: 'c',
        help: 'c',
        command: false,
      },
    ];
    expect(() => assertNoDuplicateKeys(escOnly)).toThrow(/ESC-only/);
    expect(matchKey('main', 'p', { ...noKey, meta: true })).toBeNull();
  });
  test('keys map to the actions of console.md', () => {
    const at = (
      input: string,
      key: Partial<Key> = {},
      scope: Parameters<typeof matchKey>[0] = 'main',
    ) => matchKey(scope, input, { ...noKey, ...key })?.action;
    expect(at('p')).toBe('pause');
    expect(at('r')).toBe('resume');
    expect(at(' ')).toBe('resume');
    expect(at('s')).toBe('stop');
    expect(at('R', { shift: true })).toBe('rerun');
    expect(at('X', { shift: true })).toBe('rerun-exhaustive');
    expect(at('v')).toBe('validate');
    expect(at('V', { shift: true })).toBe('validate-range');
    expect(at('e')).toBe('export');
    expect(at('a')).toBe('ack');
    expect(at('k')).toBe('up');
    expect(at('', { downArrow: true })).toBe('down');
    expect(at('h')).toBe('left');
    expect(at('l')).toBe('right');
    expect(at('', { return: true })).toBe('detail');
    expect(at('', { tab: true })).toBe('focus');
    expect(at('f')).toBe('follow');
    expect(at('', { end: true })).toBe('follow');
    expect(at('/')).toBe('filter');
    expect(at('?')).toBe('help');
    expect(at('q')).toBe('quit');
    expect(at('c', { ctrl: true })).toBe('quit');
    expect(at('q', {}, 'overlay')).toBe('close');
    expect(at('', { delete: true }, 'overlay')).toBe('close');
    expect(at('y', {}, 'confirm')).toBe('yes');
    expect(at('s', {}, 'quit')).toBe('quit-stop');
    expect(at('d', {}, 'quit')).toBe('quit-detach');
  });
  test('footer is generated from the registry and fits the width', () => {
    const wide = footerText(200);
    expect(wide).toBe(
      'p pause  r resume  s stop  R rerun  v validate  e export  a ack  tab focus  / filter  ? help  H health  q quit',
    );
    const narrow = footerText(40);
    expect(narrow.length).toBeLessThanOrEqual(40);
    expect(narrow).toContain('? help');
    expect(narrow).toContain('q quit');
    const ro = footerText(200, true);
    expect(ro.startsWith('read-only')).toBe(true);
    expect(ro).not.toContain('p pause');
  });
  test('H (health overlay) is in the footer and the help, read-only too (it sends no command), and h stays left', () => {
    const at = (input: string, key: Partial<Key> = {}, scope: KeyScope = 'main') =>
      matchKey(scope, input, { ...noKey, ...key })?.action;
    expect(at('H', { shift: true })).toBe('health');
    expect(at('h')).toBe('left');
    expect(at('H', { shift: true }, 'overlay')).toBe('health');
    expect(footerText(200)).toContain('H health');
    expect(footerText(200, true)).toContain('H health');
    // When space is short it is the first to go (after the command keys it outranks none).
    expect(footerText(100)).not.toContain('H health');
    expect(footerText(100)).toContain('? help');
    expect(helpLines('main').some((l) => /^H +health checks/.test(l))).toBe(true);
    expect(helpContent(200, false).join('\n')).toContain('overlays (help, day detail, health)');
  });
  test('help lists every main binding', () => {
    const lines = helpLines('main');
    expect(lines).toHaveLength(KEYMAP.filter((b) => b.scope === 'main').length);
    expect(lines.some((l) => l.startsWith('r/space'))).toBe(true);
    expect(lines.some((l) => l.startsWith('f/End'))).toBe(true);
  });

  test('every key of console.md is bound to its action', () => {
    // console.md "Keys": key, scope, the action it must trigger
    const table: [string, Partial<Key>, KeyScope, ActionId][] = [
      ['p', {}, 'main', 'pause'],
      ['r', {}, 'main', 'resume'],
      [' ', {}, 'main', 'resume'],
      ['s', {}, 'main', 'stop'],
      ['R', { shift: true }, 'main', 'rerun'],
      ['X', { shift: true }, 'main', 'rerun-exhaustive'],
      ['v', {}, 'main', 'validate'],
      ['V', { shift: true }, 'main', 'validate-range'],
      ['e', {}, 'main', 'export'],
      ['a', {}, 'main', 'ack'],
      ['', { upArrow: true }, 'main', 'up'],
      ['', { downArrow: true }, 'main', 'down'],
      ['', { leftArrow: true }, 'main', 'left'],
      ['', { rightArrow: true }, 'main', 'right'],
      ['h', {}, 'main', 'left'],
      ['j', {}, 'main', 'down'],
      ['k', {}, 'main', 'up'],
      ['l', {}, 'main', 'right'],
      ['', { return: true }, 'main', 'detail'],
      ['', { backspace: true }, 'overlay', 'close'],
      ['q', {}, 'overlay', 'close'],
      ['', { tab: true }, 'main', 'focus'],
      ['f', {}, 'main', 'follow'],
      ['', { end: true }, 'main', 'follow'],
      ['', { pageUp: true }, 'main', 'page-up'],
      ['/', {}, 'main', 'filter'],
      ['?', {}, 'main', 'help'],
      ['q', {}, 'main', 'quit'],
      ['H', { shift: true }, 'main', 'health'],
      ['H', { shift: true }, 'overlay', 'health'],
      ['', { escape: true }, 'overlay', 'close'],
    ];
    for (const [input, key, scope, action] of table)
      expect(
        matchKey(scope, input, { ...noKey, ...key })?.action,
        `${scope} ${input || JSON.stringify(key)}`,
      ).toBe(action);
  });
  test('every binding is documented: a label and a help line, in the ? overlay and in README', () => {
    const help = helpContent(200, false).join('\n');
    for (const b of KEYMAP) {
      expect(b.label.trim(), `${b.scope}/${b.action}`).not.toBe('');
      expect(b.help.trim(), `${b.scope}/${b.action}`).not.toBe('');
      for (const k of b.keys) expect(help).toContain(keyName(k));
    }
    const readme = readmeKeysSection();
    for (const b of KEYMAP) for (const k of b.keys) expect(readme).toContain(`\`${keyName(k)}\``);
  });
  test("README's keys section is the one generated from the registry", () => {
    const text = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const from = text.indexOf(README_KEYS_BEGIN);
    const to = text.indexOf(README_KEYS_END);
    expect(from, 'README.md has the keys:begin marker').toBeGreaterThanOrEqual(0);
    expect(to, 'README.md has the keys:end marker').toBeGreaterThan(from);
    // On a difference: npm run build, then
    // node -e "import('./dist/ui/keymap.js').then((m) => console.log(m.readmeKeysSection()))"
    expect(text.slice(from, to + README_KEYS_END.length)).toBe(readmeKeysSection());
  });
  test('the README check fails on a key missing from the section', () => {
    const extra: KeyBinding[] = [
      ...KEYMAP,
      {
        action: 'mark',
        scope: 'main',
        keys: [{ input: 'M' }],
        label: 'x',
        help: 'x',
        command: false,
      },
    ];
    expect(readmeKeysSection(extra)).not.toBe(readmeKeysSection());
  });
});
