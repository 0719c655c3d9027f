/**
 * The package as a user gets it: installed by name into a folder of its own (npm links a local
 * folder, no network), the README's Library example type-checked against the published types and
 * run against the built-in simulator.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine } from '../helpers/run-helpers.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');

/** The `n`th (0-based) ```ts block of the README's Library section, as written. */
function readmeExample(n: number): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Library'));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const block = blocks[n];
  if (block === undefined) throw new Error(`README.md has no ts example ${n} under ## Library`);
  return block;
}

describe('the installed package', () => {
  // npm install and a type-check of the published types: seconds on a quiet machine, far more on a
  // loaded one (the suite's 20 s is for tests that only run lp-batch).
  it('runs the README example as written, type-checked against its published types', async ({ dir }) => {
    if (!existsSync(join(ROOT, 'dist/index.d.ts'))) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    }
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
    );
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ROOT], {
      cwd: dir,
    });
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({
      dependencies: { 'lp-batch': expect.stringMatching(/^file:/) as unknown },
    });

    writeFileSync(join(dir, 'example.ts'), readmeExample(0));
    // The estimate example as written, and the report it gets printed.
    writeFileSync(join(dir, 'estimate.ts'), `${readmeExample(1)}\nconsole.log(JSON.stringify(report));\n`);
    // The Message Batches example needs a gateway: type-checked only.
    writeFileSync(join(dir, 'batches.ts'), readmeExample(2));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          // The published .d.ts files are checked too, not skipped.
          skipLibCheck: false,
          // A Node.js project has @types/node; this one borrows lp-batch's.
          typeRoots: [join(ROOT, 'node_modules/@types')],
          types: ['node'],
        },
        files: ['example.ts', 'estimate.ts', 'batches.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir }).catch(
      (error: Error & { stdout?: string }) => {
        throw new Error(`the README example does not type-check:\n${error.stdout ?? error.message}`);
      },
    );

    const prompts = ['one', 'two', 'three'];
    writeFileSync(join(dir, 'in.jsonl'), `${prompts.map((p, i) => requestLine(`q${i}`, p)).join('\n')}\n`);
    // A clean environment: the example's apiKey is the only key there is.
    await run(process.execPath, ['example.js'], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
    const results = readResults(join(dir, 'out.jsonl'));
    expect(results.map((r) => [r.custom_id, r.result.type]).sort()).toEqual([
      ['q0', 'succeeded'],
      ['q1', 'succeeded'],
      ['q2', 'succeeded'],
    ]);

    const estimated = await run(process.execPath, ['estimate.js'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
    });
    const report = JSON.parse(estimated.stdout) as {
      requests: number;
      method: string;
      cost_usd: { expected: number };
    };
    expect(report).toMatchObject({ requests: 3, method: 'heuristic' });
    expect(report.cost_usd.expected).toBeGreaterThan(0);
  }, 120_000);
});
