/**
 * The application log (issue 12.5): pino JSON lines in logs/gapctl.log, secrets redacted (literal
 * keys and the webhook URL, apiKey= in URLs, structured fields through pino's redact), rotated by
 * size with 3 files kept, and never throwing.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAppLog } from '../../source/runtime/app-log.js';
import { tempDir } from '../helpers/paths.js';

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('app log (pino)', () => {
  it('writes one JSON line per call with level, ISO time, pid and the message; failures at warn', () => {
    const dir = tempDir();
    const log = createAppLog(join(dir, 'logs'));
    log('[backfill] start 2018-01-03..2018-01-05');
    log('[alerts] alert sink webhook failed: ECONNREFUSED');
    const got = lines(join(dir, 'logs', 'gapctl.log'));
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({
      level: 'info',
      pid: process.pid,
      msg: '[backfill] start 2018-01-03..2018-01-05',
    });
    expect(typeof got[0]!.time).toBe('string');
    expect(Number.isNaN(Date.parse(got[0]!.time as string))).toBe(false);
    expect(got[1]).toMatchObject({ level: 'warn' });
  });

  it('redacts secrets in messages and in structured fields', () => {
    const dir = tempDir();
    const hook = 'https://hooks.example.invalid/services/T000/B000/SECRETTOKEN';
    const log = createAppLog(dir, ['polygon-key-123', hook]);
    log('GET https://api.example.invalid/v2/x?apiKey=abcdef&date=2018-01-03 failed');
    log(`posting to ${hook} with polygon-key-123`);
    log('structured', {
      apiKey: 'zzz-secret',
      webhookUrl: 'http://hook.example.invalid/y',
      nested: { token: 't0k3n' },
      url: `${hook}?a=1`,
    });
    const text = readFileSync(join(dir, 'gapctl.log'), 'utf8');
    for (const s of [
      'abcdef',
      'SECRETTOKEN',
      'polygon-key-123',
      'zzz-secret',
      't0k3n',
      'http://hook.example.invalid/y',
    ])
      expect(text).not.toContain(s);
    const got = lines(join(dir, 'gapctl.log'));
    expect(got[0]!.msg).toContain('apiKey=REDACTED');
    expect(got[2]).toMatchObject({
      apiKey: '[REDACTED]',
      webhookUrl: '[REDACTED]',
      nested: { token: '[REDACTED]' },
      url: 'REDACTED?a=1',
    });
  });

  it('rotates by size: gapctl.log -> .1 -> .2 -> .3, three kept, the newest lines in gapctl.log', () => {
    const dir = tempDir();
    const log = createAppLog(dir, [], { maxBytes: 300, keep: 3 });
    for (let i = 0; i < 40; i++) log(`line ${i} ${'x'.repeat(60)}`);
    const path = join(dir, 'gapctl.log');
    for (const f of [path, `${path}.1`, `${path}.2`, `${path}.3`])
      expect(existsSync(f), f).toBe(true);
    expect(existsSync(`${path}.4`)).toBe(false);
    expect(lines(path).at(-1)!.msg).toMatch(/^line 39 /);
    // Rotated files hold older lines, each a valid JSON line.
    const older = lines(`${path}.1`).map((l) => Number(/^line (\d+)/.exec(l.msg as string)![1]));
    expect(Math.max(...older)).toBeLessThan(39);
  });

  it('never throws when the log cannot be written', () => {
    const dir = tempDir();
    const notADir = join(dir, 'file');
    writeFileSync(notADir, 'x');
    const log = createAppLog(join(notADir, 'logs'));
    expect(() => log('anything')).not.toThrow();
  });
});
