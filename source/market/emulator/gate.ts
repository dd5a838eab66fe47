/**
 * The per-terminal concurrency gate of the ThetaData emulator (docs/providers.md §2.8): at most `cap`
 * requests hold a slot; up to `queue` more wait in FIFO order; beyond that a request is refused
 * at once (the caller answers 429).
 */

/** Thrown into a queued waiter whose client went away (or when the emulator closes). */
export class GateAborted extends Error {
  constructor() {
    super('request aborted while queued');
  }
}

/** Counters kept by a {@link TerminalGate}. */
export interface GateCounters {
  inFlight: number;
  maxInFlight: number;
  queued: number;
  rejected429: number;
}

/** A semaphore with a bounded FIFO queue. */
export class TerminalGate {
  private inFlight = 0;
  private maxInFlight = 0;
  private rejected = 0;
  private readonly waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  /**
   * @param cap concurrent slots (integer ≥ 1).
   * @param queue waiting room (integer ≥ 0).
   */
  constructor(
    private readonly cap: number,
    private readonly queue: number,
  ) {
    if (!Number.isInteger(cap) || cap < 1)
      throw new Error(`terminal cap must be an integer >= 1, got ${cap}`);
    if (!Number.isInteger(queue) || queue < 0)
      throw new Error(`terminal queue must be an integer >= 0, got ${queue}`);
  }

  /**
   * Takes a slot: `'full'` when cap and queue are both full (counted as rejected), else a promise
   * that resolves once the slot is held (at once when free) and rejects with {@link GateAborted}
   * when `signal` aborts while still queued. Every resolved acquire must be paired with `release()`.
   */
  acquire(signal: AbortSignal): 'full' | Promise<void> {
    if (this.inFlight < this.cap && this.waiters.length === 0) {
      this.take();
      return Promise.resolve();
    }
    if (this.waiters.length >= this.queue) {
      this.rejected++;
      return 'full';
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new GateAborted());
      };
      if (signal.aborted) {
        reject(new GateAborted());
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives a slot back and hands it to the oldest waiter. */
  release(): void {
    this.inFlight--;
    while (this.inFlight < this.cap && this.waiters.length > 0) {
      const w = this.waiters.shift()!;
      this.take();
      w.resolve();
    }
  }

  /** Rejects every queued waiter (used by close()). */
  abortAll(): void {
    for (const w of this.waiters.splice(0)) w.reject(new GateAborted());
  }

  /** A snapshot of the counters. */
  counters(): GateCounters {
    return {
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      queued: this.waiters.length,
      rejected429: this.rejected,
    };
  }

  private take(): void {
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }
}
