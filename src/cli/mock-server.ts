/**
 * `lp-batch mock-server`: the simulator behind `--provider mock` as a server of its own on 127.0.0.1,
 * for trying a pipeline for free and for testing code that calls Anthropic-compatible gateways. It
 * prints its URL on stdout and serves until SIGINT or SIGTERM.
 */
import { UsageError } from '../errors.js';
import { MOCK_SERVER_COMMAND_OPTIONS } from '../options/mock-server.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';

export const mockServerCommand = defineCommand({
  command: 'mock-server',
  describe: 'Serve the Anthropic-compatible simulator on 127.0.0.1 until Ctrl-C / SIGTERM (prints its URL)',
  positionals: {},
  options: MOCK_SERVER_COMMAND_OPTIONS,
  async handler(_positionals, given, io) {
    const port = given.port ?? MOCK_SERVER_COMMAND_OPTIONS.port.default;
    const { startMockServer } = await import('../mock/server.js');
    // A server that runs for hours keeps nothing of what it received.
    const server = await startMockServer({ ...given, port, record: false }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new UsageError(
          `port ${port} on 127.0.0.1 is in use: choose another with --port (0: a free one)`,
        );
      }
      throw error;
    });
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(signal);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.stdout.write(`${server.url}\n`);
    io.stderr.write(
      `lp-batch mock-server: serving ${server.url}/v1/messages (JSON and SSE), /v1/messages/count_tokens and the Message Batches API; Ctrl-C to stop\n`,
    );
    const signal = await stopped;
    await server.close();
    io.stderr.write(`lp-batch mock-server: ${signal}: stopped after ${server.stats.received} requests\n`);
    return EXIT.ok;
  },
});
