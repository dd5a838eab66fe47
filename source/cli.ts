#!/usr/bin/env node
/**
 * gapctl command line: meow turns flags into a command of the one registry
 * (commands/registry.ts: names, summaries, help, flags, runners); no logic here. Every command has
 * --help. Bad input is one line on stderr and a non-zero exit (2 for usage, 1 for a failed run).
 * Only meow and the registry load at start; each command loads its own modules when it runs.
 * The main is commands/cli-main.ts runCli (callable in-process); this file only wires it to the
 * process: its exit code and a closed stdout.
 */
import { runCli } from './commands/cli-main.js';

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
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
