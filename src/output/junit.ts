/**
 * `--junit FILE`: a results file as JUnit XML, for CI systems that show test reports. One test case
 * per request (classname: the model it asked for; name: its custom_id; time: its `latency_ms`), an
 * errored request a `<failure>` with its error type and message, one its Message Batch did not run a
 * `<failure>` of type `canceled` or `expired`. Written from the results file in
 * two streaming passes (the suite's counts come first in the XML), never the file in memory.
 */
import { open } from 'node:fs/promises';
import type { ShownPath } from '../types.js';
import { type FinalResultsIndex, forEachFinalResult } from './final-results.js';
import type { ResultRecord } from './results-parse.js';
import { modelOfResult } from './summarize.js';

/** What a suite's opening tag says. */
export interface JunitCounts {
  tests: number;
  failures: number;
  /** Sum of the test cases' times, seconds. */
  seconds: number;
}

/**
 * Writes the JUnit report of the results file `index` was made of to `target` (replaced).
 * `suite`: the test suite's name (the results file, and the shard).
 */
export async function writeJunitReport(
  index: FinalResultsIndex,
  target: ShownPath,
  suite: string,
): Promise<void> {
  const counts: JunitCounts = { tests: 0, failures: 0, seconds: 0 };
  await forEachFinalResult(index, (record) => {
    counts.tests += 1;
    if (record.type !== 'succeeded') counts.failures += 1;
    counts.seconds += seconds(record);
  });
  const handle = await open(target.path, 'w');
  try {
    let pending = junitHead(counts, suite);
    // Written after each chunk read, before the next: memory stays at one chunk whatever the file's size.
    const flush = async () => {
      const text = pending;
      pending = '';
      if (text !== '') await handle.writeFile(text); // writeFile writes it all, even to a pipe
    };
    await forEachFinalResult(index, (record) => (pending += junitCase(record)), flush);
    pending += junitTail();
    await flush();
  } finally {
    await handle.close();
  }
}

/** The XML declaration and the opening tags of `<testsuites>` and its one `<testsuite>`. */
export function junitHead(counts: JunitCounts, suite: string): string {
  const attributes = `tests="${counts.tests}" failures="${counts.failures}" errors="0" skipped="0" time="${counts.seconds.toFixed(3)}"`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="lp-batch" ${attributes}>\n` +
    `  <testsuite name="${xmlAttribute(suite)}" ${attributes}>\n`
  );
}

export function junitTail(): string {
  return '  </testsuite>\n</testsuites>\n';
}

/** One `<testcase>`; an errored result holds a `<failure>` saying what failed, where and how often. */
export function junitCase(record: ResultRecord): string {
  const head = `    <testcase classname="${xmlAttribute(modelOfResult(record))}" name="${xmlAttribute(record.custom_id)}" time="${seconds(record).toFixed(3)}"`;
  if (record.type === 'succeeded') return `${head}/>\n`;
  if (record.type === 'canceled' || record.type === 'expired') {
    // Not run: a failure all the same (the gates count it so), named by the results format's own type.
    const why = `its Message Batch did not run it (${record.type}); input line ${record.line}; a later run sends it`;
    return (
      `${head}>\n` +
      `      <failure type="${record.type}" message="${record.type}">${xmlText(why)}</failure>\n` +
      '    </testcase>\n'
    );
  }
  const type = record.error_type ?? 'api_error';
  const message = record.error_message ?? '';
  const status = record.status === null ? 'no HTTP status' : `HTTP ${record.status}`;
  const details = [
    `${type} (${record.error_kind ?? 'internal'}, ${status}) after ${record.attempts} attempts`,
    `input line ${record.line}`,
    ...(record.request_id === null ? [] : [`request_id ${record.request_id}`]),
  ].join('; ');
  return (
    `${head}>\n` +
    `      <failure type="${xmlAttribute(type)}" message="${xmlAttribute(message)}">${xmlText(`${details}\n${message}`)}</failure>\n` +
    '    </testcase>\n'
  );
}

function seconds(record: ResultRecord): number {
  return (record.latency_ms ?? 0) / 1000;
}

/**
 * Characters XML 1.0 cannot hold at all (controls other than tab, LF and CR; lone surrogates;
 * U+FFFE and U+FFFF): dropped, since a server's message may carry any of them.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- control characters are what it finds
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text content: markup characters escaped. */
export function xmlText(text: string): string {
  return text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute's value in double quotes; tab, LF and CR as references, which a parser keeps as they are. */
export function xmlAttribute(text: string): string {
  return xmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
