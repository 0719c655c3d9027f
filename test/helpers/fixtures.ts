/**
 * The set-up most run tests share, as vitest fixtures: a temporary folder, and the simulator on
 * 127.0.0.1 (port 0), each cleaned up after the test whatever happened. A test asks for what it uses:
 *
 *   it('retries a 529', async ({ dir, serve }) => {
 *     const server = await serve({ fault: failFirst(2, faults.overloaded()) });
 *     const { results } = await runLines(server, dir, lines);
 *   });
 */
import { test } from 'vitest';
import { type MockServer, type MockServerOptions, startMockServer } from '../../src/mock/server.js';
import { makeTempDir } from './run-helpers.js';

export interface RunFixtures {
  /** A fresh temporary folder, removed after the test. */
  dir: string;
  /** Starts a simulator; every one started is closed after the test. */
  serve: (options?: MockServerOptions) => Promise<MockServer>;
}

export const it = test.extend<RunFixtures>({
  // vitest reads a fixture's dependencies from the destructuring of its first argument: none here.
  // eslint-disable-next-line no-empty-pattern
  dir: async ({}, use) => {
    const tmp = makeTempDir();
    try {
      await use(tmp.dir);
    } finally {
      tmp.cleanup();
    }
  },
  // eslint-disable-next-line no-empty-pattern
  serve: async ({}, use) => {
    const servers: MockServer[] = [];
    try {
      await use(async (options) => {
        const server = await startMockServer(options);
        servers.push(server);
        return server;
      });
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  },
});
