/** Small helpers for the run's abort signals. */

/** An AbortController that also aborts when `signal` does. */
export function linkAbort(signal: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  onAbort(signal, () => controller.abort(signal?.reason));
  return controller;
}

/** Calls `fn` once when `signal` aborts (at once if it already has); returns a function that detaches it. */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    fn();
    return () => {};
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}
