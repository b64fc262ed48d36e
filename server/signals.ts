/**
 * Shutdown on SIGTERM/SIGINT without being cut short: the first signal starts the
 * shutdown, a second is reported and ignored (a drain in progress is not killed by an
 * impatient repeat), a third exits at once with the conventional 128 + signal number.
 */

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

const NUMBER: Record<ShutdownSignal, number> = { SIGINT: 2, SIGTERM: 15 };

export interface ShutdownHandlers {
  /** The first signal: start shutting down (and exit when done). */
  onFirst(signal: ShutdownSignal): void;
  /** A later signal, `count` ≥ 2; when `forcing`, the process exits right after this returns. */
  onRepeat?(signal: ShutdownSignal, count: number, forcing: boolean): void;
}

/**
 * Installs the handlers; returns a function that removes them.
 * @example const off = onShutdownSignals({ onFirst: () => void close().then(() => process.exit(0)) });
 */
export function onShutdownSignals(handlers: ShutdownHandlers): () => void {
  let count = 0;
  const on = (signal: ShutdownSignal) => {
    count += 1;
    if (count === 1) return handlers.onFirst(signal);
    const forcing = count >= 3;
    handlers.onRepeat?.(signal, count, forcing);
    if (forcing) process.exit(128 + NUMBER[signal]);
  };
  process.on('SIGTERM', on);
  process.on('SIGINT', on);
  return () => {
    process.off('SIGTERM', on);
    process.off('SIGINT', on);
  };
}
