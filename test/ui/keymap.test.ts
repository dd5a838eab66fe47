import { describe, expect, test } from 'vitest';
import type { Key } from 'ink';
import { assertNoDuplicateKeys, footerText, helpLines, KEYMAP, matchKey, type KeyBinding } from '../../source/ui/keymap.js';

const noKey: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

describe('keymap', () => {
  test('the registry has no duplicate key in any scope', () => {
    expect(() => assertNoDuplicateKeys(KEYMAP)).not.toThrow();
  });
  test('the duplicate check fails on a key bound twice', () => {
    const dup: KeyBinding[] = [...KEYMAP, { action: 'export', scope: 'main', keys: [{ input: 'p' }], label: 'x', help: 'x', command: true }];
    expect(() => assertNoDuplicateKeys(dup)).toThrow(/duplicate key p in scope main: pause and export/);
  });
  test('no binding is ESC-only and none uses Alt/Meta', () => {
    const escOnly: KeyBinding[] = [{ action: 'close', scope: 'overlay', keys: [{ named: 'escape' }], label: 'c', help: 'c', command: false }];
    expect(() => assertNoDuplicateKeys(escOnly)).toThrow(/ESC-only/);
    expect(matchKey('main', 'p', { ...noKey, meta: true })).toBeNull();
  });
  test('keys map to the actions of console.md', () => {
    const at = (input: string, key: Partial<Key> = {}, scope: Parameters<typeof matchKey>[0] = 'main') => matchKey(scope, input, { ...noKey, ...key })?.action;
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
    expect(wide).toBe('p pause  r resume  s stop  R rerun  v validate  e export  a ack  tab focus  / filter  ? help  q quit');
    const narrow = footerText(40);
    expect(narrow.length).toBeLessThanOrEqual(40);
    expect(narrow).toContain('? help');
    expect(narrow).toContain('q quit');
    const ro = footerText(200, true);
    expect(ro.startsWith('read-only')).toBe(true);
    expect(ro).not.toContain('p pause');
  });
  test('help lists every main binding', () => {
    const lines = helpLines('main');
    expect(lines).toHaveLength(KEYMAP.filter((b) => b.scope === 'main').length);
    expect(lines.some((l) => l.startsWith('r/space'))).toBe(true);
    expect(lines.some((l) => l.startsWith('f/End'))).toBe(true);
  });
});
