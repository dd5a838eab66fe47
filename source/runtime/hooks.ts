/**
 * Backfill hooks that need more than the engine core: the month export and the spot validation.
 * Kept apart so the worker and the CLI wire the same ones.
 */
import type { BackfillOptions } from '../engine/backfill.js';
import type { Session } from './session.js';
import type { BackfillJob } from './protocol.js';

/** The export, validation and phase-0 hooks of a backfill job (none yet: validation lands with issue 3). */
export function backfillHooks(_s: Session, _job: Pick<BackfillJob, 'validate' | 'skipPhase0'>): Pick<BackfillOptions, 'exportMonth' | 'validateDay' | 'phase0Day'> {
  return {};
}
