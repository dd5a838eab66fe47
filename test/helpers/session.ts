/** A test engine session over a market source, with a temp store and state folder. */
import { join } from 'node:path';
import { loadConfig, type Config, type ConfigName } from '../../source/config/index.js';
import type { EngineEvent } from '../../source/contracts/events.js';
import { openSession, parseMarket, type Session } from '../../source/runtime/session.js';
import type { EmulatorOptions } from '../../source/market/emulator/index.js';
import type { MarketSource } from '../../source/market/types.js';
import { tempDir } from './paths.js';

/** Options of {@link testSession}. */
export interface TestSessionOptions {
  market?: string;
  source?: MarketSource;
  env?: Partial<Record<ConfigName, string>>;
  emulator?: Partial<Omit<EmulatorOptions, 'source'>>;
  dir?: string;
}

/** Opens a session with every folder in a temp dir and instant retries (backoff base 0). */
export async function testSession(
  o: TestSessionOptions = {},
): Promise<{ session: Session; cfg: Config; dir: string; events: EngineEvent[]; logs: string[] }> {
  const dir = o.dir ?? tempDir();
  const cfg = loadConfig(
    {},
    {
      GAPCTL_STATE_DIR: join(dir, 'project_state'),
      GAPCTL_REPORTS_DIR: join(dir, 'reports'),
      GAPCTL_EXPORT_DIR: join(dir, 'exports'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
      THETA_BACKOFF_BASE: '0',
      POLYGON_BACKOFF_BASE: '0',
      ...o.env,
    },
  );
  const events: EngineEvent[] = [];
  const logs: string[] = [];
  const session = await openSession({
    cfg,
    market: parseMarket(o.market ?? 'replay'),
    source: o.source,
    dbPath: join(dir, 'scanner.db'),
    emit: (e) => events.push(e),
    log: (l) => logs.push(l),
    emulator: o.emulator,
  });
  return { session, cfg, dir, events, logs };
}
