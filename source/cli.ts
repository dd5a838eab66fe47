#!/usr/bin/env node
/**
 * gapctl command line: meow turns flags into a command of the one registry
 * (commands/registry.ts: names, summaries, help, flags, runners); no logic here. Every command has
 * --help. Bad input is one line on stderr and a non-zero exit (2 for usage, 1 for a failed run).
 * Only meow and the registry load at start; each command loads its own modules when it runs.
 */
import meow from 'meow';
import { COMMANDS, COMMON_FLAGS } from './commands/registry.js';
import { isOperatorError } from './commands/help.js';
import { errorLine, UsageError } from './util/errors.js';

const MAIN_HELP = `gapctl: zero-miss gap scanner for US equities and its operations console

Usage: gapctl <command> [options]     gapctl <command> --help

Commands:
${Object.entries(COMMANDS)
  .map(([k, v]) => `  ${k.padEnd(12)} ${v.summary}`)
  .join('\n')}

npm start   = gapctl backfill over the bundled real 2018 sample (replay market)
Configuration: environment variables or .env (see gapctl config and README.md).`;

/**
 * Parses a command's arguments with meow against its flags (and {@link COMMON_FLAGS}); `--help`
 * prints the command's help and exits 0.
 * @throws UsageError for an unknown flag, a flag without its value or a bad --market.
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
  // One line for an unknown flag (as typed), a flag without its value, or a bad --market.
  const { checkFlags } = await import('./commands/flag-check.js');
  await checkFlags(argv, { ...COMMON_FLAGS, ...flags }, cli.flags as Record<string, unknown>);
  if ((cli.flags as { help?: boolean }).help) {
    process.stdout.write(help + '\n');
    process.exit(0);
  }
  return cli;
}

async function main(argv: string[]): Promise<number> {
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
  return spec.run(cli.flags as Record<string, unknown>, cli.input.slice(0));
}

/**
 * A reader that went away (`gapctl status | head -1`) ends the command quietly, without a stack
 * trace: on EPIPE on stdout the rest of the output is dropped; a command that stops cleanly on a
 * signal (backfill, scan, validate: they listen for SIGTERM) gets one SIGTERM and ends as a stop
 * does (exit 1, the stopped day left absent); any other finishes its work silently and exits with
 * its own code (status 0; a `market import` or `db backup` is never cut half-way, and nothing
 * reports success it did not have). An EPIPE on stderr is ignored (there is nowhere left to say
 * anything). The headless runner and `console --attach` install their own stdout error listener
 * (they keep running when their terminal vanishes); this one then stands aside.
 */
function exitQuietlyOnClosedPipe(): void {
  const closedPipe = (e: NodeJS.ErrnoException): boolean =>
    e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED';
  let seen = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (!closedPipe(e)) throw e;
    if (seen || process.stdout.listenerCount('error') > 1) return;
    seen = true;
    if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
  });
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (!closedPipe(e)) throw e;
  });
}

exitQuietlyOnClosedPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const msg = errorLine(e);
    process.stderr.write(`gapctl: ${msg}\n`);
    if (!isOperatorError(e) && process.env.GAPCTL_DEBUG && e instanceof Error)
      process.stderr.write(`${e.stack}\n`);
    process.exitCode =
      e instanceof UsageError || (e instanceof Error && e.name === 'ConfigError') ? 2 : 1;
  },
);
