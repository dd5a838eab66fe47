/**
 * The command line's main, callable in-process: {@link runCli} parses a command line with meow
 * against the one registry (commands/registry.ts: names, summaries, help, flags, runners), checks
 * the flags and dates (commands/flag-check.ts) before any command module loads, runs the command and
 * turns its outcome into an exit code. It never calls process.exit: source/cli.ts sets
 * `process.exitCode` from the result; a test may call it directly and assert the code.
 * Only meow, the registry and the light checks load here; each command loads its own modules when
 * it runs.
 */
import meow from 'meow';
import { COMMANDS, COMMON_FLAGS } from './registry.js';
import { isOperatorError } from './help.js';
import { errorLine, UsageError } from '../util/errors.js';

/** The text of `gapctl --help`: the commands of the registry in its order, with their summaries. */
export const MAIN_HELP = `gapctl: zero-miss gap scanner for US equities and its operations console

Usage: gapctl <command> [options]     gapctl <command> --help

Commands:
${Object.entries(COMMANDS)
  .map(([k, v]) => `  ${k.padEnd(12)} ${v.summary}`)
  .join('\n')}

npm start   = gapctl backfill over the bundled real 2018 sample (replay market)
Configuration: environment variables or .env (see gapctl config and README.md).`;

/**
 * Parses a command's arguments with meow against its flags (and {@link COMMON_FLAGS}) and checks
 * them (commands/flag-check.ts: unknown flags, flags without a value, --market, dates).
 * @returns meow's result, or null when `--help` was asked (the help is then printed).
 * @throws UsageError for an unknown flag, a flag without its value, a bad --market or a bad date.
 */
async function parse(argv: string[], flags: Record<string, unknown>, help: string) {
  const cli = meow(help, {
    importMeta: import.meta,
    argv,
    flags: { ...COMMON_FLAGS, ...flags } as never,
    allowUnknownFlags: true,
    autoHelp: false,
    autoVersion: false,
  });
  // One line for an unknown flag (as typed), a flag without its value, a bad --market or a bad date.
  const { checkFlags } = await import('./flag-check.js');
  await checkFlags(argv, { ...COMMON_FLAGS, ...flags }, cli.flags as Record<string, unknown>);
  if ((cli.flags as { help?: boolean }).help) {
    process.stdout.write(help + '\n');
    return null;
  }
  return cli;
}

/** Dispatches a command line; errors propagate (see {@link runCli}). @returns the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(MAIN_HELP + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    process.stdout.write('gapctl 0.1.0\n');
    return 0;
  }
  const spec = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!spec) throw new UsageError(`unknown command "${cmd}" (gapctl --help lists them)`);
  const cli = await parse(rest, spec.flags, spec.help);
  if (!cli) return 0;
  return spec.run(cli.flags as Record<string, unknown>, cli.input.slice(0));
}

/**
 * Runs one gapctl command line (the arguments after `gapctl`) in this process: output goes to
 * process.stdout / process.stderr; a refusal is one line `gapctl: <message>` on stderr (secrets
 * redacted; the stack only with GAPCTL_DEBUG and only for an unexpected error).
 * @param argv e.g. `['backfill', '--start', '2018-01-03']`
 * @returns the exit code: 0 done, 1 failed or refused run, 2 usage (UsageError, ConfigError, no
 *   command). It never throws and never exits the process.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    process.stderr.write(`gapctl: ${errorLine(e)}\n`);
    if (!isOperatorError(e) && process.env.GAPCTL_DEBUG && e instanceof Error)
      process.stderr.write(`${e.stack}\n`);
    return e instanceof UsageError || (e instanceof Error && e.name === 'ConfigError') ? 2 : 1;
  }
}
