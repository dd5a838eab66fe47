/**
 * The CLI's main called in this test process (source/commands/cli-main.ts runCli), for tests whose
 * subject is a command's message and exit code rather than the process boundary: a usage error costs
 * no node start and no module load (they are loaded once per test file). Real-process checks of the
 * same refusals stay in cli.test.ts ('bad flags and bad dates ...') and usage-errors.test.ts.
 *
 * While a call runs, process.env is replaced by `env`, the working directory is `cwd`, and
 * process.stdout/stderr writes are captured (not shown); all three are restored afterwards. Calls
 * must not overlap (vitest runs a file's tests one after another).
 */
import { runCli } from '../../source/commands/cli-main.js';

/** What one in-process command line gave: its exit code and everything written to stdout/stderr. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `gapctl <args>` in-process. @param opts.env the whole environment of the call (default:
 * this process's); @param opts.cwd its working directory (default: this process's).
 */
export async function gapctlInProcess(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  const savedEnv = process.env;
  const savedCwd = process.cwd();
  const outWrite = process.stdout.write;
  const errWrite = process.stderr.write;
  let out = '';
  let err = '';
  const capture =
    (sink: (s: string) => void) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    };
  if (opts.env) process.env = { ...opts.env };
  if (opts.cwd) process.chdir(opts.cwd);
  process.stdout.write = capture((s) => (out += s)) as typeof process.stdout.write;
  process.stderr.write = capture((s) => (err += s)) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    process.stdout.write = outWrite;
    process.stderr.write = errWrite;
    process.env = savedEnv;
    process.chdir(savedCwd);
  }
}
