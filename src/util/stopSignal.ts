// SIGINT/SIGTERM: long computations stop after saving their state (InterruptedError, exit 128 + signal).
import { constants } from 'node:os';
import { log } from './log.js';

/** A long computation stopped on SIGINT/SIGTERM after saving its state; the CLI exits with 128 + the signal number. */
export class InterruptedError extends Error {
  readonly signal: NodeJS.Signals;
  /** 130 for SIGINT, 143 for SIGTERM (the shell convention). */
  readonly exitCode: number;
  constructor(signal: NodeJS.Signals, message: string) {
    super(message);
    this.name = 'InterruptedError';
    this.signal = signal;
    this.exitCode = 128 + (constants.signals[signal] ?? 15);
  }
}

/** Watches SIGINT/SIGTERM while a computation runs (see {@link watchStopSignals}). */
export interface StopWatcher {
  /** The first stop signal received, or undefined. */
  requested(): NodeJS.Signals | undefined;
  /** Restores the default signal behaviour. */
  dispose(): void;
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Turns SIGINT/SIGTERM into a stop request while `what` runs: the first signal is recorded (the computation checks
 * {@link StopWatcher.requested} at its next safe point, e.g. after writing a checkpoint, and throws an
 * {@link InterruptedError}); a second signal exits at once with 128 + its number. Signals are only delivered when
 * the event loop turns, so check after yielding to it (`await new Promise(setImmediate)`).
 */
export function watchStopSignals(what: string): StopWatcher {
  let got: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (got !== undefined) {
      log.warn(`${signal} again: ${what} stops now, without saving`);
      process.exit(128 + (constants.signals[signal] ?? 15));
    }
    got = signal;
    log.warn(`${signal}: ${what} stops after its next checkpoint (send it again to stop at once)`);
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return {
    requested: () => got,
    dispose: () => {
      for (const s of STOP_SIGNALS) process.off(s, handler);
    },
  };
}
