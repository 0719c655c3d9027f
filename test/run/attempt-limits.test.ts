/**
 * The limits of one attempt, through runBatch and the simulator, on tiny real timeouts: `--timeout`
 * bounds a plain response and a stream's headers, `--idle-timeout` a stream's silences (a stream
 * that keeps sending is never cut), `--max-response-bytes` every body.
 */
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import { it } from '../helpers/fixtures.js';
import { type AnyResult, requestLine, runLines } from '../helpers/run-helpers.js';

type Line = AnyResult & { error_kind?: string };

describe('the limits of an attempt', () => {
  it('lets a stream run far past --timeout while it keeps sending: one attempt, one bill', async ({
    dir,
    serve,
  }) => {
    // Events 15 ms apart: the whole stream takes several times --timeout.
    const server = await serve({ fault: () => faults.slowBody(15) });
    const started = performance.now();
    const { results, report } = await runLines(
      server,
      dir,
      [requestLine('long', 'a long answer', { stream: true })],
      {
        timeout: 0.04,
        idleTimeout: 1,
      },
    );
    const [line] = results as unknown as Line[];
    expect(performance.now() - started).toBeGreaterThan(3 * 40);
    expect(line?.result.type).toBe('succeeded');
    expect(line?.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(report.summary.retries).toBe(0);
  });

  it('still cuts a plain response whose body outlasts --timeout', async ({ dir, serve }) => {
    const server = await serve({ fault: () => faults.slowBody(25) });
    const { results } = await runLines(server, dir, [requestLine('slow', 'x')], {
      timeout: 0.06,
      maxRetries: 0,
    });
    expect(results[0]).toMatchObject({
      error_kind: 'timeout',
      status: null,
      result: {
        type: 'errored',
        error: { error: { type: 'timeout_error', message: 'no complete response within --timeout 0.06s' } },
      },
    });
  });

  it('writes a stream silent past --idle-timeout with a message naming the flag', async ({ dir, serve }) => {
    const server = await serve({ fault: () => faults.streamStall(3) });
    const { results, report } = await runLines(server, dir, [requestLine('quiet', 'x', { stream: true })], {
      idleTimeout: 0.03,
      maxRetries: 1,
    });
    expect(server.requests).toHaveLength(2);
    expect(results[0]).toMatchObject({
      error_kind: 'timeout',
      attempts: 2,
      result: {
        error: {
          error: { type: 'timeout_error', message: 'the stream sent nothing for --idle-timeout 0.03s' },
        },
      },
    });
    expect(JSON.stringify(results[0])).not.toContain('UND_ERR');
    expect(report.summary.retries_by_kind).toEqual({ timeout: 1 });
  });

  it.for([false, true])(
    'writes a body over --max-response-bytes as errored, naming the cap, without retrying (stream: %s)',
    async (stream, { dir, serve }) => {
      const server = await serve({ fault: () => faults.endlessBody() });
      const { results, report } = await runLines(server, dir, [requestLine('huge', 'x', { stream })], {
        maxResponseBytes: 128 * 1024,
        maxRetries: 3,
      });
      expect(server.requests).toHaveLength(1);
      expect(results[0]).toMatchObject({
        error_kind: 'response_too_large',
        status: 200,
        attempts: 1,
        result: {
          error: {
            error: {
              type: 'api_error',
              message:
                '200: response body larger than --max-response-bytes 131072 (reading stopped at 131072 bytes)',
            },
            request_id: 'req_mock_1',
          },
        },
      });
      expect(report.summary.errors_by_kind).toEqual({ response_too_large: 1 });
    },
  );
});
