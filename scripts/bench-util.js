/**
 * Shared pieces of the benchmark: the request every line carries, the input file writer, the
 * endpoint, and a child process that answers with one JSON line.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { buildEndpoint, PROVIDERS } from '../dist/client/providers.js';

/** The params of request `i`: small, realistic, and priced (no unknown-model warning). */
export function requestParams(i) {
  return {
    model: 'claude-haiku-4-5',
    max_tokens: 64,
    system: 'You are a concise assistant. Answer in at most two sentences.',
    messages: [
      {
        role: 'user',
        content: `Question ${i}: why does streaming a JSONL file line by line keep a batch runner's memory flat?`,
      },
    ],
  };
}

/** Writes `n` Message Batches lines to `path`; resolves with the file size in bytes. */
export async function writeRequestsFile(path, n) {
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const line = `${JSON.stringify({ custom_id: `req-${i}`, params: requestParams(i) })}\n`;
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

/** The endpoint lp-batch and the bare baseline both use: the simulator, same headers. */
export function benchEndpoint(baseUrl) {
  return buildEndpoint(PROVIDERS.mock, {
    baseUrl,
    apiKey: 'bench-key',
    allowInsecureHttp: false,
    userAgent: 'lp-batch-bench',
  });
}

/**
 * Spawns `node script ...args` and resolves with the first JSON line it prints on stdout, and the
 * child itself (kept in `children` while it runs). Rejects when the child exits first or prints nothing within `timeoutMs`.
 */
export function spawnJsonChild(script, args, { timeoutMs, nodeArgs = [], children }) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Tracked until it exits, so a time-out of the whole bench can end it.
  children?.add(child);
  child.once('exit', () => children?.delete(child));
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      try {
        resolve({ child, value: JSON.parse(buffered.slice(0, end)) });
      } catch (error) {
        reject(
          new Error(`${script}: printed a line that is not JSON: ${buffered.slice(0, end)}`, {
            cause: error,
          }),
        );
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script}: exited (code ${code}, signal ${signal}) before answering`));
    });
  });
}

/** Parses `--name value` pairs into numbers, with defaults; rejects anything it does not know. */
export function parseNumberArgs(argv, defaults) {
  const values = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (name === undefined || !(name in defaults)) {
      throw new Error(
        `Expected one of ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(', ')}, got \`${argv[i]}\``,
      );
    }
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(`Expected \`--${name}\` to be a positive number, got \`${argv[i + 1]}\``);
    }
    values[name] = value;
  }
  return values;
}

/** `12345.6` → `12 346`. */
export function formatInt(value) {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Bytes → `12.3 MB`. */
export function formatMb(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
