/**
 * The time limits of one attempt, as one timer (the transport's, see ./transport.ts). A plain request
 * has `--timeout` for its headers and body together. A stream (or a long download) has `--timeout`
 * until its headers, then `--idle-timeout` between chunks: however long it runs, a body that keeps
 * coming is never cut.
 */
export class AttemptLimit {
  /** What ran out, in words naming the flag, once a limit ended the attempt; else null. */
  expired: string | null = null;
  /** Ends the attempt (aborts its request) once `expired` is set. */
  readonly #onExpire: () => void;
  #timer: NodeJS.Timeout;
  /** Whether the timer measures silence (a stream past its headers), so that each chunk restarts it. */
  #idle = false;

  constructor(onExpire: () => void, timeoutMs: number, stream: boolean) {
    this.#onExpire = onExpire;
    const what = stream ? 'no response headers' : 'no complete response';
    this.#timer = this.#arm(`${what} within --timeout ${seconds(timeoutMs)}s`, timeoutMs);
  }

  /** A stream's 2xx headers came: from now on only silence counts. */
  headersArrived(idleTimeoutMs: number): void {
    clearTimeout(this.#timer);
    this.#idle = true;
    this.#timer = this.#arm(
      `the stream sent nothing for --idle-timeout ${seconds(idleTimeoutMs)}s`,
      idleTimeoutMs,
    );
  }

  /** A chunk of the body came. */
  readonly onChunk = (): void => {
    if (this.#idle) this.#timer.refresh();
  };

  clear(): void {
    clearTimeout(this.#timer);
  }

  #arm(reason: string, ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      this.expired = reason;
      this.#onExpire();
    }, ms);
  }
}

function seconds(ms: number): number {
  return ms / 1000;
}
