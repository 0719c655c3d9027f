/** Shared set-up of the batches engine's tests: a run on a virtual clock that the simulator shares, and what the simulator was asked. */
import { join } from 'node:path';
import { type BatchSubmitReport, submitBatchesWith } from '../../src/batches/library.js';
import type { ProviderName } from '../../src/client/providers.js';
import type { MockServer, RecordedRequest } from '../../src/mock/server.js';
import type { RunBatchOptions } from '../../src/run/run-batch.js';
import { runLines, TEST_KEY, writeInput } from '../helpers/run-helpers.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

/** A virtual clock and the same time as the simulator's wall clock, so that batches end as time moves. */
export function sharedClock(): { clock: VirtualClock; mockClock: { now: () => number } } {
  const clock = new VirtualClock();
  return { clock, mockClock: { now: () => clock.nowEpochMs() } };
}

/** Runs `lines` through `--engine batches` against `server` on `clock` (see `runLines`). */
export function runBatches(
  server: MockServer,
  dir: string,
  lines: string[],
  opts: Partial<RunBatchOptions> & { clock: VirtualClock },
): ReturnType<typeof runLines<VirtualClock>> {
  return runLines(server, dir, lines, { engine: 'batches', ...opts });
}

/** Submits `lines` (`lp-batch submit`) to `server` on `clock`; the results file is `dir/out.jsonl`. */
export async function submitLines(
  server: MockServer,
  dir: string,
  lines: string[],
  clock: VirtualClock,
  provider: ProviderName = 'anthropic',
): Promise<{ report: BatchSubmitReport; output: string }> {
  const output = join(dir, 'out.jsonl');
  const report = await submitBatchesWith(
    {
      inputPath: writeInput(dir, lines),
      outputPath: output,
      provider,
      baseUrl: server.url,
      apiKey: TEST_KEY,
    },
    { clock, env: {} },
  );
  return { report, output };
}

/** The batch creations the simulator received (either dialect). */
export function creations(server: MockServer): RecordedRequest[] {
  return server.requests.filter((r) => r.method === 'POST' && /\/batches$/.test(r.path));
}

/** The custom_ids of a batch creation's requests. */
export function idsOf(creation: RecordedRequest): string[] {
  return (creation.body as { requests: { custom_id: string }[] }).requests.map((r) => r.custom_id);
}

/** The prompts of the requests sent to `/v1/messages` (the normal engine), sorted. */
export function messagesSent(server: MockServer): string[] {
  return server.requests
    .filter((r) => r.method === 'POST' && /\/messages$/.test(r.path))
    .map((r) => {
      const messages = (r.body as { messages: { content: string }[] }).messages;
      return messages[0]?.content ?? '';
    })
    .sort();
}
