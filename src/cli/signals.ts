/**
 * Ctrl-C and SIGTERM for a command: the first stops it gracefully (`shutdown.interrupt()`: nothing new
 * starts, what is in flight finishes), a second aborts what is in flight. Each is told through `say`
 * (above a progress display, when one is drawn).
 */
import type { Shutdown } from '../run/shutdown.js';

/** Listens for SIGINT and SIGTERM until the returned function is called. `first` says what the first one does. */
export function stopOnSignals(shutdown: Shutdown, say: (text: string) => void, first: string): () => void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupted) {
      interrupted = true;
      shutdown.interrupt();
      say(`lp-batch: ${signal}: ${first}\n`);
    } else {
      shutdown.abort();
      say(`lp-batch: ${signal} again: aborting what is in flight\n`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
