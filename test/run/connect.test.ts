/** Where a run's key comes from and which keys are refused: too short to be real, or to be masked. */
import { describe, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { connect, type ConnectOptions, MIN_KEY_LENGTH } from '../../src/run/connect.js';
import { it } from '../helpers/fixtures.js';
import { requestLine, runLines } from '../helpers/run-helpers.js';
import { faults } from '../../src/mock/faults.js';

const BASE: ConnectOptions = {
  provider: 'anthropic',
  baseUrl: undefined,
  apiKeyEnv: undefined,
  allowInsecureHttp: false,
  header: undefined,
  apiKey: undefined,
  env: {},
  userAgent: 'test',
};

describe('connect', () => {
  it('refuses a key shorter than 8 characters for a remote gateway, without showing it', async () => {
    expect(MIN_KEY_LENGTH).toBe(8);
    for (const opts of [
      { env: { LP_API_KEY: 'short12' } },
      { apiKey: 'k' },
      { baseUrl: 'https://10.0.0.1', env: { ANTHROPIC_API_KEY: 'kk' } },
    ]) {
      const refused = connect({ ...BASE, ...opts });
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(/is shorter than 8 characters: no real key is/);
      await expect(refused).rejects.not.toThrow(/short12|'k'/);
    }
  });

  it('accepts a short key on loopback, and then masks nothing with it', async () => {
    for (const baseUrl of ['http://127.0.0.1:9', 'http://localhost:9', 'http://[::1]:9']) {
      const connection = await connect({ ...BASE, baseUrl, apiKey: 'k' });
      expect(connection.secrets).toEqual([]);
      expect(connection.endpoint.headers['x-api-key']).toBe('k');
    }
    const mock = await connect({ ...BASE, provider: 'mock', apiKey: 'k' });
    expect(mock.secrets).toEqual([]);
    await mock.close();
    const real = await connect({ ...BASE, env: { LP_API_KEY: 'sk-eight' } });
    expect(real.secrets).toEqual(['sk-eight']);
  });

  it('leaves every "k" of a message alone when the key "k" was accepted on loopback', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ fault: () => faults.invalidRequest('a kind of bad request') });
    const { results, warnings } = await runLines(server, dir, [requestLine('a', 'x')], { apiKey: 'k' });
    expect(results[0]?.result.type === 'errored' && results[0].result.error.error.message).toBe(
      'a kind of bad request',
    );
    expect(warnings.join('')).not.toContain('[redacted]');
  });
});
