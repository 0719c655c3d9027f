/**
 * Summarizes a `.cpuprofile`: the functions with the most self time and the most total time, as
 * `function file:line`, with paths made relative. To profile lp-batch as the bench runs it, start
 * the simulator (`node scripts/bench-server.js` prints its URL) and run the CLI under --cpu-prof:
 *
 *   ANTHROPIC_API_KEY=sk-bench-0123456789 node --cpu-prof --cpu-prof-dir=prof bin/lp-batch.js \
 *     run requests.jsonl results.jsonl --provider anthropic --base-url URL -c 64 --progress none
 *
 * Usage: node scripts/bench-profile.js FILE.cpuprofile [TOP=25]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [file, topText = '25'] = process.argv.slice(2);
if (!file) throw new Error('Usage: node scripts/bench-profile.js FILE.cpuprofile [TOP]');
const top = Number(topText);
// Piped into `head`: stop quietly when the reader goes away.
process.stdout.on('error', () => {});
const profile = JSON.parse(readFileSync(file, 'utf8'));

const REPOSITORY = fileURLToPath(new URL('../', import.meta.url));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

// Self time per node: each sample is charged the delta until the next one.
const selfUs = new Map();
for (const [i, id] of profile.samples.entries()) {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const where = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '~/')
    .replace(REPOSITORY, '');
  return `${functionName || '(anonymous)'} ${short || '(native)'}${url ? `:${lineNumber + 1}` : ''}`;
};

const self = new Map();
const total = new Map();
for (const [id, us] of selfUs) {
  const key = where(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + us);
  // Inclusive: charge every distinct frame on the stack once.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const frame = where(byId.get(at));
    if (seen.has(frame)) continue;
    seen.add(frame);
    total.set(frame, (total.get(frame) ?? 0) + us);
  }
}

const print = (title, map) => {
  process.stdout.write(`\n${title} (of ${(totalUs / 1000).toFixed(0)} ms)\n`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${key}\n`);
  }
};
print('self time', self);
print('total time', total);
