/** `gapctl config`: prints the effective configuration, secrets redacted. */
import { describeConfig, loadConfig } from '../config/index.js';

/** Prints NAME=value lines of the effective configuration. @throws ConfigError on a bad value. */
export async function configCommand(
  write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<number> {
  for (const line of describeConfig(loadConfig())) write(line);
  return 0;
}
