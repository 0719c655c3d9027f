import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionError } from '../../src/errors.js';
import type { Message } from '../../src/types.js';
import {
  COMPLETE_FIXTURES,
  cutBytes,
  type LineEnding,
  loadFixture,
  readMessageStream,
  readWithSdk,
  toAsyncIterable,
  wirePart,
} from './sse-helpers.js';

const CTX = { requestId: 'req_test', redact: (text: string) => text };
const LINE_ENDINGS: readonly LineEnding[] = ['\n', '\r\n', '\r'];
const encoder = new TextEncoder();

async function readWithUs(chunks: readonly Uint8Array[]): Promise<Message> {
  return readMessageStream(toAsyncIterable(chunks), CTX);
}

describe('MessageStreamReader against the official SDK', () => {
  it('finds the SDK adding only parsed_output and an undefined stop_details to the wire message', async () => {
    const sdk = await readWithSdk([encoder.encode(loadFixture('text-ping'))]);
    const ours = await readWithUs([encoder.encode(loadFixture('text-ping'))]);

    const extra = Object.keys(sdk).filter((key) => !(key in ours));
    expect(extra.sort()).toEqual(['parsed_output', 'stop_details']);
    expect(sdk.parsed_output).toBeNull();
    expect(sdk.stop_details).toBeUndefined();
  });

  for (const name of COMPLETE_FIXTURES) {
    for (const eol of LINE_ENDINGS) {
      const label = JSON.stringify(eol);
      it(`builds the same message as the SDK from ${name}.sse with ${label} endings in one chunk and in 1-byte chunks`, async () => {
        const bytes = encoder.encode(loadFixture(name, eol));
        const whole = [bytes];
        // Every cut point at once: inside each multi-byte character and each \r\n pair.
        const bytewise = cutBytes(
          bytes,
          Array.from({ length: bytes.length }, (_, i) => i),
        );
        expect(bytewise).toHaveLength(bytes.length);

        const expected = wirePart(await readWithSdk(whole));
        expect(await readWithUs(whole)).toStrictEqual(expected);
        expect(wirePart(await readWithSdk(bytewise))).toStrictEqual(expected);
        expect(await readWithUs(bytewise)).toStrictEqual(expected);
      });
    }
  }

  it('builds the same message as the SDK for any fixture, line ending and chunking', async () => {
    const input = fc
      .record({
        name: fc.constantFrom(...COMPLETE_FIXTURES),
        eol: fc.constantFrom(...LINE_ENDINGS),
        offsets: fc.array(fc.nat({ max: 20_000 }), { maxLength: 60 }),
      })
      .map(({ name, eol, offsets }) => {
        const bytes = encoder.encode(loadFixture(name, eol));
        // Scale the cut points to the body, so short and long fixtures get cut everywhere.
        return {
          name,
          eol,
          chunks: cutBytes(
            bytes,
            offsets.map((o) => Math.floor((o / 20_000) * bytes.length)),
          ),
        };
      });

    await fc.assert(
      fc.asyncProperty(input, async ({ chunks }) => {
        const expected = wirePart(await readWithSdk(chunks));
        expect(await readWithUs(chunks)).toStrictEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('fails like the SDK on an error event and on a body that ends early, at any chunking', async () => {
    const cases = [
      { name: 'error-overloaded', ours: ApiError, sdk: /overloaded_error/ },
      { name: 'truncated', ours: ConnectionError, sdk: /stream ended without producing a Message/ },
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases),
        fc.constantFrom(...LINE_ENDINGS),
        fc.array(fc.nat({ max: 3_000 }), { maxLength: 20 }),
        async (failure, eol, offsets) => {
          const chunks = cutBytes(encoder.encode(loadFixture(failure.name, eol)), offsets);
          await expect(readWithSdk(chunks)).rejects.toThrow(failure.sdk);
          await expect(readWithUs(chunks)).rejects.toBeInstanceOf(failure.ours);
        },
      ),
      { numRuns: 40 },
    );
  });
});
