/**
 * The console state's split (issue 11 point 4): the dispatcher routes a key to the controllers of
 * the active scope in a fixed order, every key the keymap binds in a scope has a controller in that
 * scope's chain, a controller passes on what it does not own, and the modules of source/ui/state/
 * stay small and documented. The behaviour itself is pinned by state.test.ts, instant.test.tsx and
 * the frame tests, which drive `step` through this dispatcher.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { KEYMAP, type KeyScope } from '../../source/ui/keymap.js';
import { controlController } from '../../source/ui/state/controllers/control.js';
import { gridController } from '../../source/ui/state/controllers/grid.js';
import { logPaneController } from '../../source/ui/state/controllers/log-pane.js';
import { controllersFor, dispatchKey } from '../../source/ui/state/dispatch.js';
import { initialUiState, step, type StepContext, type UiState } from '../../source/ui/state.js';
import { makeSnapshot } from './harness.js';

const ctx: StepContext = { readOnly: false, logPage: 10, tooSmall: false, logMode: 'read' };
const running = (over: Partial<UiState> = {}): UiState => ({
  ...initialUiState(),
  snapshot: makeSnapshot(),
  ...over,
});
const names = (s: UiState, c: Pick<StepContext, 'tooSmall'> = ctx) =>
  controllersFor(s, c).map((x) => x.name);

/** A state in which `scope` is active. */
function inScope(scope: KeyScope): UiState {
  switch (scope) {
    case 'main':
      return running();
    case 'overlay':
      return running({ overlay: { kind: 'detail', date: '2018-03-08', scroll: 0, logScroll: 0 } });
    case 'confirm':
      return running({
        prompt: {
          kind: 'confirm',
          text: 'rerun?',
          commands: [{ type: 'rerun', date: '2018-03-08', exhaustive: false }],
        },
      });
    case 'quit':
      return running({ prompt: { kind: 'quit' } });
    case 'filter':
      return running({ prompt: { kind: 'filter' } });
  }
}

describe('the dispatcher', () => {
  test('routes each scope to its chain of controllers, the focused panel first on the main screen', () => {
    expect(names(running())).toEqual(['global', 'grid', 'log-paging', 'control', 'main']);
    expect(names(running({ focus: 'log' }))).toEqual([
      'global',
      'log-pane',
      'log-paging',
      'control',
      'main',
    ]);
    expect(names(running({ focus: 'alerts' }))).toEqual([
      'global',
      'alerts',
      'log-paging',
      'control',
      'main',
    ]);
    expect(names(running(), { tooSmall: true })).toEqual(['global']);
    expect(names(inScope('overlay'))).toEqual(['global', 'day-detail', 'overlay']);
    expect(names(running({ overlay: { kind: 'help', scroll: 0 } }))).toEqual([
      'global',
      'day-detail',
      'overlay',
    ]);
    expect(names(inScope('confirm'))).toEqual(['global', 'confirm']);
    expect(names(inScope('filter'))).toEqual(['global', 'filter']);
    // Nothing but the quit prompt's own keys while it asks (not even the global quit).
    expect(names(inScope('quit'))).toEqual(['quit-prompt']);
  });

  test('every action the keymap binds in a scope is handled by a controller of that scope', () => {
    for (const b of KEYMAP) {
      const s = inScope(b.scope);
      const handled = controllersFor(s, ctx).some((c) => c.handle(s, b.action, ctx) !== null);
      expect(handled, `${b.scope}: ${b.action}`).toBe(true);
    }
  });

  test('a controller passes on actions it does not own, and the next in the chain takes them', () => {
    const s = running();
    expect(gridController.handle(s, 'pause', ctx)).toBeNull();
    expect(controlController.handle(s, 'up', ctx)).toBeNull();
    expect(logPaneController.handle(s, 'detail', ctx)).toBeNull();
    // `p` with the grid focused: grid and log-paging pass, control sends the pause.
    expect(dispatchKey(s, 'pause', ctx).commands).toEqual([{ type: 'pause' }]);
    // An action nobody owns in the scope changes nothing (the same state object).
    const f = inScope('filter');
    expect(dispatchKey(f, 'pause', ctx).state).toBe(f);
  });

  test('the focused panel decides the arrows: grid moves the cursor, log scrolls, alerts step', () => {
    // The running day (2018-03-09) is selected; its log is the snapshots' stream (40 lines).
    const s = step(initialUiState(), { type: 'snapshot', snapshot: makeSnapshot() }, ctx).state;
    expect(step(s, { type: 'key', action: 'right' }, ctx).state.cursor).toBe('2018-03-12');
    const log = step({ ...s, focus: 'log' }, { type: 'key', action: 'up' }, ctx).state;
    expect(log.cursor).toBeNull();
    expect(log.scroll.following).toBe(false);
    const alerts = step({ ...s, focus: 'alerts' }, { type: 'key', action: 'right' }, ctx).state;
    expect(alerts.cursor).toBeNull();
    expect(alerts.scroll.following).toBe(true);
  });
});

describe('the modules of source/ui/state', () => {
  const root = join(process.cwd(), 'source/ui');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
  const all = [join(root, 'state.ts'), ...files(join(root, 'state'))];

  test('every file is under 400 lines', () => {
    expect(all.length).toBeGreaterThan(10);
    for (const f of all) expect(readFileSync(f, 'utf8').split('\n').length, f).toBeLessThan(400);
  });

  test('every exported declaration has a docstring', () => {
    for (const f of all) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/^export (async )?(function|const|interface|type|class) /.test(line)) return;
        expect(lines[i - 1]?.trim(), `${f}:${i + 1} ${line}`).toMatch(/\*\/$/);
      });
    }
  });
});
