/**
 * The command line's flag check, before anything runs (commands/cli-main.ts calls it after meow),
 * so that a usage error costs no command module. Light: it loads the market parser only when a
 * --market is given and the calendar only when a date flag is.
 */
import { UsageError } from '../util/errors.js';

/** The meow flag specs a command takes (name in camelCase -> type, optional short flag). */
export type FlagSpecs = Record<string, { type?: string; shortFlag?: string } | unknown>;

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Checks a command line against the flags a command takes, before anything runs:
 * - an unknown flag is named as typed (`--foo-bar`, `--fooBar`, `-z`), not as meow normalised it;
 * - a flag that takes a value given none (`--db` last, `--db --market sim`, `--out=`,
 *   `--max-months` before another flag) is refused instead of being read as '' (which `--db`
 *   resolved to the working directory) or silently dropped;
 * - `--market` must parse (commands/market-flag.ts marketFlag);
 * - a date flag given (`--date`, `--start`, `--end`, checked in that order) must be a real
 *   `YYYY-MM-DD` day in the calendar's years (runtime/input-checks.ts dateArg, the check every
 *   command makes of them), so a bad date is refused before the command's modules load.
 * Tokens after `--` are not flags.
 * @param argv the command's arguments (after the command name)
 * @param specs the flags the command takes (camelCase names, meow specs)
 * @param parsed meow's parsed flags
 * @throws UsageError with one line; the CLI exits 2.
 */
export async function checkFlags(
  argv: readonly string[],
  specs: FlagSpecs,
  parsed: Record<string, unknown>,
): Promise<void> {
  const known = new Map<string, string | undefined>(); // name (camel and kebab) -> type
  const short = new Set<string>();
  for (const [k, v] of Object.entries(specs)) {
    const type = (v as { type?: string } | null)?.type;
    known.set(k, type);
    known.set(kebab(k), type);
    const s = (v as { shortFlag?: string } | null)?.shortFlag;
    if (s) short.add(s);
  }
  const isFlag = (t: string | undefined): boolean =>
    t !== undefined && (t.startsWith('--') || /^-[A-Za-z]/.test(t));
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') break;
    if (tok.startsWith('--')) {
      const name = tok.slice(2).split('=')[0]!;
      const bare = name.startsWith('no-') ? name.slice(3) : null;
      if (!known.has(name) && !(bare !== null && known.has(bare)))
        throw new UsageError(`unknown flag --${name} (--help lists the flags)`);
      // A flag that takes a value, given none (last, or followed by another flag): meow would read '' or drop it.
      const type = known.get(name);
      if (
        (type === 'string' || type === 'number') &&
        !tok.includes('=') &&
        (i + 1 >= argv.length || isFlag(argv[i + 1]))
      ) {
        throw new UsageError(`--${name} needs a value (--help lists the flags)`);
      }
    } else if (/^-[A-Za-z]/.test(tok)) {
      for (const c of tok.slice(1).split('=')[0]!)
        if (!short.has(c)) throw new UsageError(`unknown flag -${c} (--help lists the flags)`);
    }
  }
  for (const [k, v] of Object.entries(specs)) {
    if ((v as { type?: string } | null)?.type !== 'string') continue;
    if (parsed[k] === '')
      throw new UsageError(`--${kebab(k)} needs a value (--help lists the flags)`);
  }
  // Only a --market given loads the market parser (commands/market-flag.ts, runtime/market-spec.ts).
  if (typeof parsed.market === 'string')
    (await import('./market-flag.js')).marketFlag(parsed.market);
  const dates = DATE_FLAGS.filter((k) => Object.hasOwn(specs, k) && typeof parsed[k] === 'string');
  if (dates.length > 0) {
    const { dateArg } = await import('../runtime/input-checks.js');
    for (const k of dates) dateArg(parsed[k] as string, k);
  }
}

/** The date flags (`YYYY-MM-DD`) {@link checkFlags} checks, in the order it names a bad one. */
const DATE_FLAGS = ['date', 'start', 'end'] as const;
