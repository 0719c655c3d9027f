/**
 * The gateways lp-batch knows by name: base URL, path and auth style (../shared/seeds, PROTOCOL.md),
 * and the checks on a base URL before any request goes out.
 */
import { UsageError } from '../errors.js';
import { extraHeaders } from './extra-headers.js';

export type ProviderName = 'littlepig' | 'anthropic' | 'serevix' | 'aimlapi' | 'mock';

export interface Provider {
  baseUrl: string;
  /** Path of the Messages endpoint, appended to the base URL. */
  path: string;
  auth: 'x-api-key' | 'bearer';
  /** The gateway's Message Batches API, or null when it documents none. */
  batches: BatchApiSpec | null;
}

/**
 * How a gateway's Message Batches API is spoken: `anthropic` (`POST {path}`, `GET {path}/{id}`,
 * `POST {path}/{id}/cancel`, results from `results_url`, `GET {path}` lists) or `aiml` (AI/ML API:
 * `POST {path}`, `GET {path}?batch_id=ID` for the batch and, once ended, its results,
 * `POST {path}/cancel/{id}`; no list). See PROTOCOL.md.
 */
export type BatchDialect = 'anthropic' | 'aiml';

export interface BatchApiSpec {
  /** Path of the batches collection, appended to the base URL. */
  path: string;
  dialect: BatchDialect;
}

const ANTHROPIC_BATCHES: BatchApiSpec = { path: '/v1/messages/batches', dialect: 'anthropic' };

export const PROVIDERS: Readonly<Record<ProviderName, Provider>> = {
  littlepig: {
    baseUrl: 'https://sgai.littlepig.cloud/anthropic',
    path: '/v1/messages',
    auth: 'x-api-key',
    batches: null,
  },
  anthropic: {
    baseUrl: 'https://api.anthropic.com',
    path: '/v1/messages',
    auth: 'x-api-key',
    batches: ANTHROPIC_BATCHES,
  },
  serevix: {
    baseUrl: 'https://gateway.serevixai.ai',
    path: '/v1/messages',
    auth: 'x-api-key',
    batches: null,
  },
  aimlapi: {
    baseUrl: 'https://api.aimlapi.com',
    path: '/messages',
    auth: 'bearer',
    batches: { path: '/v1/batches', dialect: 'aiml' },
  },
  // The base URL of `mock` is the in-process simulator's, known once it listens.
  mock: { baseUrl: 'http://127.0.0.1', path: '/v1/messages', auth: 'x-api-key', batches: ANTHROPIC_BATCHES },
};

/**
 * The Message Batches API of `provider`: `batchPath` (`--batch-path`) when given, spoken in the
 * provider's dialect (Anthropic's for a provider that has none), else the provider's own.
 * @throws UsageError for a provider that documents no batch API and no `batchPath`, before anything is sent
 */
export function batchApiOf(provider: ProviderName, batchPath: string | undefined): BatchApiSpec {
  const own = PROVIDERS[provider].batches;
  if (batchPath !== undefined) {
    if (!/^\/[^?#\s]*$/.test(batchPath)) {
      throw new UsageError(
        `--batch-path: expected a path starting with / (e.g. /v1/messages/batches), got "${batchPath}"`,
      );
    }
    return { path: batchPath.replace(/\/+$/, ''), dialect: own?.dialect ?? 'anthropic' };
  }
  if (own === null) {
    throw new UsageError(
      `--provider ${provider} documents no Message Batches API: use the normal engine (leave out --engine batches), or, if your gateway has one, name its path with --batch-path (Anthropic's is ${ANTHROPIC_BATCHES.path})`,
    );
  }
  return own;
}

export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];

export const ANTHROPIC_VERSION = '2023-06-01';

/** Where and how to send: the full Messages URL and the headers of every request. */
export interface Endpoint {
  url: URL;
  headers: Record<string, string>;
}

/**
 * The endpoint of `provider`, with `baseUrl` overriding its base. Refuses credentials in the URL and
 * plain http to anything but loopback unless `allowInsecureHttp`.
 */
export function buildEndpoint(
  provider: Provider,
  opts: {
    baseUrl?: string | undefined;
    apiKey: string;
    allowInsecureHttp: boolean;
    userAgent: string;
    /** `--header` lines, checked (see ./extra-headers.ts); they may replace `anthropic-version` and `user-agent`. */
    header?: readonly string[] | undefined;
  },
): Endpoint {
  const base = opts.baseUrl ?? provider.baseUrl;
  let url: URL;
  try {
    url = new URL(base.replace(/\/+$/, '') + provider.path);
  } catch {
    throw new UsageError(`--base-url: expected an http(s) URL, got "${base}"`);
  }
  if (url.username || url.password) {
    throw new UsageError('--base-url: must not carry credentials; put the key in the environment');
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !opts.allowInsecureHttp) {
    throw new UsageError(
      `--base-url: refusing plain http to ${url.host} (the key would cross the network unencrypted); use https or --allow-insecure-http`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--base-url: expected an http(s) URL, got "${base}"`);
  }
  const auth: Record<string, string> =
    provider.auth === 'bearer' ? { authorization: `Bearer ${opts.apiKey}` } : { 'x-api-key': opts.apiKey };
  return {
    url,
    headers: {
      'anthropic-version': ANTHROPIC_VERSION,
      'user-agent': opts.userAgent,
      ...extraHeaders(opts.header ?? []),
      // After the user's: extraHeaders refuses these, and they must hold whatever happens.
      ...auth,
      'content-type': 'application/json',
    },
  };
}

/** Loopback hosts: 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
