/**
 * The diagnostic memory probe (GAPCTL_MEM_PROBE, issue 13 point 1): one JSON line a call with the
 * process's RSS and this thread's heap figures; a heap snapshot on the listed calls; nothing when
 * off; never throws.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { memProbe, type MemProbeLine } from '../../source/runtime/mem-probe.js';
import { tempDir } from '../helpers/paths.js';

describe('memory probe', () => {
  it('appends one line a call with RSS and heap figures, and nothing when off', () => {
    const dir = tempDir('gapctl-probe-');
    const file = join(dir, 'probe.jsonl');
    memProbe('2024-03-01', undefined, undefined);
    expect(existsSync(file)).toBe(false);
    memProbe('2024-03-01', file, '');
    memProbe('2024-03-04', file, '');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MemProbeLine);
    expect(lines.map((l) => l.label)).toEqual(['2024-03-01', '2024-03-04']);
    expect(['main', 'worker']).toContain(lines[0]!.thread);
    expect(lines[0]!.heapUsed).toBeGreaterThan(0);
    expect(lines[0]!.heapTotal).toBeGreaterThanOrEqual(lines[0]!.heapUsed);
    if (process.platform === 'linux') {
      expect(lines[0]!.rssKb).toBeGreaterThan(10_000);
      expect(lines[0]!.hwmKb).toBeGreaterThanOrEqual(lines[0]!.rssKb!);
      expect(lines[0]!.threads).toBeGreaterThan(0);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'))).toEqual([]);
  });

  it('never throws on a file it cannot write', () => {
    expect(() =>
      memProbe('x', join(tempDir('gapctl-probe-'), 'no', 'such', 'dir.jsonl')),
    ).not.toThrow();
  });
});
