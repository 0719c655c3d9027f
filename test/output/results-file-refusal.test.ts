import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultsFileError } from '../../src/errors.js';
import { scanResultsFile } from '../../src/output/results-scan.js';
import { makeTempFolder, succeeded, toJsonl, writeResults } from './results-file-fixtures.js';

let temp: Awaited<ReturnType<typeof makeTempFolder>>;
beforeEach(async () => {
  temp = await makeTempFolder();
});
afterEach(async () => {
  await temp.remove();
});

const good = toJsonl([succeeded('a', 1), succeeded('b', 2)]);

/** The message of the ResultsFileError that scanning `content` (after two good lines) throws. */
async function refusal(content: string): Promise<{ path: string; message: string }> {
  const path = await writeResults(temp.folder, 'out.jsonl', good + content);
  try {
    await scanResultsFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ResultsFileError);
    expect((error as ResultsFileError).code).toBe('results_file');
    return { path, message: (error as Error).message };
  }
  throw new Error('expected the scan to refuse the file');
}

describe('scanResultsFile refusing a file that is not lp-batch output', () => {
  it('names the file and line of a line that is not JSON, and quotes it', async () => {
    const { path, message } = await refusal('custom_id,model,prompt\n');
    expect(message).toMatch(
      new RegExp(
        `^${escapeRegExp(path)}:3: not an lp-batch results file: the line is not JSON \\(.+\\): custom_id,model,prompt$`,
      ),
    );
  });

  it('quotes only the start of a long line that is not JSON', async () => {
    const { message } = await refusal(`${'z'.repeat(5000)}\n`);
    expect(message.endsWith(`: ${'z'.repeat(60)}...`)).toBe(true);
  });

  it('refuses a JSON value that is not an object', async () => {
    const { path, message } = await refusal('[1,2]\n');
    expect(message).toBe(`${path}:3: not an lp-batch results file: expected a JSON object, got an array`);
  });

  it('refuses an input file (params instead of result)', async () => {
    const line = JSON.stringify({ custom_id: 'q1', params: { model: 'm', max_tokens: 5, messages: [] } });
    const { path, message } = await refusal(`${line}\n`);
    expect(message).toBe(
      `${path}:3: not an lp-batch results file: expected \`result\` to be an object, got nothing`,
    );
  });

  it('refuses a custom_id that is not a string', async () => {
    const { path, message } = await refusal(`${JSON.stringify({ ...succeeded('a', 3), custom_id: 42 })}\n`);
    expect(message).toBe(
      `${path}:3: not an lp-batch results file: expected \`custom_id\` to be a string, got 42`,
    );
  });

  it('refuses a result without a string type', async () => {
    const { path, message } = await refusal('{"custom_id":"c","line":3,"result":{"type":7}}\n');
    expect(message).toBe(
      `${path}:3: not an lp-batch results file: expected \`result.type\` to be a string, got 7`,
    );
  });

  it("refuses a result type that is not one of the results format's four", async () => {
    const { path, message } = await refusal('{"custom_id":"c","line":3,"result":{"type":"pending"}}\n');
    expect(message).toBe(
      `${path}:3: not an lp-batch results file: expected \`result.type\` to be "succeeded", "errored", "canceled" or "expired", got "pending"`,
    );
  });

  it('refuses a line without an input line number', async () => {
    const { path, message } = await refusal('{"custom_id":"c","result":{"type":"succeeded"}}\n');
    expect(message).toBe(
      `${path}:3: not an lp-batch results file: expected \`line\` to be a positive integer, got nothing`,
    );
  });

  it('refuses a params_hash that is not a string', async () => {
    const { path, message } = await refusal(
      `${JSON.stringify({ ...succeeded('c', 3), params_hash: { x: 1 } })}\n`,
    );
    expect(message).toBe(
      `${path}:3: not an lp-batch results file: expected \`params_hash\` to be a string, got an object`,
    );
  });

  it('refuses a byte order mark anywhere but at the start of the file', async () => {
    const { message } = await refusal(`\uFEFF${JSON.stringify(succeeded('c', 3))}\n`);
    expect(message).toContain(':3: not an lp-batch results file: the line is not JSON');
  });

  it('keeps the JSON parse error as the cause', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', '{oops}\n');
    const error = await scanResultsFile(path).catch((caught: unknown) => caught);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
