/**
 * Commands beyond the scan and backfill core (validate, export, market import, status), each with
 * its flags, help and runner. The CLI parses their flags with meow and calls `run`.
 */
import type { AnyFlags } from 'meow';

/** A command the CLI dispatches by name. */
export interface ExtraCommand {
  summary: string;
  help: string;
  flags: AnyFlags;
  /** Runs the command with parsed flags; resolves to the exit code. */
  run(flags: Record<string, unknown>, input: readonly string[]): Promise<number>;
}

/** Commands registered here appear in `gapctl --help`. */
export const extraCommands: Record<string, ExtraCommand> = {};
