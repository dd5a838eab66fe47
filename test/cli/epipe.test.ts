/**
 * A command piped into `head` ends quietly: `gapctl status | head -1` (dist/cli.js) with stdout a
 * pipe the reader closes after the first line exits 0 with nothing on stderr (no EPIPE stack
 * trace). The status output is made larger than a pipe's buffer (64 KiB: a task log of long
 * lines), so the writes after the reader left fail with EPIPE for certain, whatever the timing.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { writeBackfillState } from '../../source/store/state-files.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');

describe('a closed stdout pipe', () => {
  it('gapctl status | head -1: exit 0, empty stderr', async () => {
    const dir = tempDir();
    const stateDir = join(dir, 'project_state');
    writeBackfillState(stateDir, {
      range: { start: '2018-03-01', end: '2018-03-09' },
      status: 'HALTED',
      last_completed_month: null,
      last_completed_day: '2018-03-05',
      halt_reason: '2018-03-06 FAILED: R1: theta terminal unreachable',
      halted_day: '2018-03-06',
      market: 'replay',
      r1_mode: 'prefilter',
    });
    // 20 shown lines of 16 KiB: 320 KiB of output, five times a pipe's buffer.
    writeFileSync(
      join(stateDir, 'task_log.md'),
      '# gapctl backfill task log\n' +
        Array.from({ length: 30 }, (_, i) => `line ${i + 1} ${'x'.repeat(16 * 1024)}`).join('\n') +
        '\n',
    );
    const child = spawn(process.execPath, [CLI, 'status'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        CI: 'true',
        GAPCTL_DB: join(dir, 'db', 'scanner.db'),
        GAPCTL_STATE_DIR: stateDir,
        GAPCTL_EXPORT_DIR: join(dir, 'exports'),
        GAPCTL_REPORTS_DIR: join(dir, 'reports'),
        GAPCTL_LOG_DIR: join(dir, 'logs'),
      },
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on('close', (code, signal) => done({ code, signal })),
    );
    const first = await new Promise<string>((done) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          // head -1: take the first line and close the read end.
          child.stdout.destroy();
          done(out.slice(0, nl));
        }
      });
    });
    expect(first).toMatch(/\S/);
    const { code, signal } = await exited;
    expect(err).toBe('');
    expect(signal).toBeNull();
    expect(code).toBe(0);
  });
});
