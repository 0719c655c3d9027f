/** Paths a run writes, checked before it starts: usable, and never one file under two names. */
import { chmodSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { checkWritablePath, refuseSameFiles } from '../../src/output/path-checks.js';
import { it } from '../helpers/fixtures.js';

const RESULTS = { regularFile: true, writableFolder: true };
const SUMMARY = { regularFile: false, writableFolder: false };

function refusal(run: () => void): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('refuseSameFiles', () => {
  it('refuses one path given twice, a symbolic link, a hard link and a dangling link to the other', ({
    dir,
  }) => {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, '{}\n');
    symlinkSync(input, join(dir, 'soft.jsonl'));
    linkSync(input, join(dir, 'hard.jsonl'));
    symlinkSync(join(dir, 'later.jsonl'), join(dir, 'dangling.json'));
    const files = (summary: string, output = 'out.jsonl') => [
      { role: 'the input', shown: 'in.jsonl', path: input },
      { role: 'the results file', shown: output, path: join(dir, output) },
      { role: '--summary', shown: summary, path: join(dir, summary) },
    ];
    expect(refusal(() => refuseSameFiles(files('in.jsonl')))).toBe(
      '--summary in.jsonl is the same file as the input in.jsonl: give --summary a path of its own',
    );
    expect(refusal(() => refuseSameFiles(files('soft.jsonl')))).toContain(
      '--summary soft.jsonl is the same file as the input',
    );
    expect(refusal(() => refuseSameFiles(files('hard.jsonl')))).toContain(
      '--summary hard.jsonl is the same file as the input',
    );
    expect(refusal(() => refuseSameFiles(files('out.jsonl')))).toBe(
      '--summary out.jsonl is the same file as the results file out.jsonl: give --summary a path of its own',
    );
    expect(refusal(() => refuseSameFiles(files('dangling.json', 'later.jsonl')))).toContain(
      '--summary dangling.json is the same file as the results file later.jsonl',
    );
    expect(refusal(() => refuseSameFiles(files('s.json', 'hard.jsonl')))).toBe(
      'the results file hard.jsonl is the same file as the input in.jsonl: give the results file a path of its own',
    );
    expect(() => refuseSameFiles(files('s.json'))).not.toThrow();
  });

  it('leaves standard input out unless it is a regular file', () => {
    expect(() =>
      refuseSameFiles([
        { role: 'the input', shown: '-', path: null },
        { role: 'the results file', shown: 'out.jsonl', path: '/nonexistent/out.jsonl' },
      ]),
    ).not.toThrow();
  });
});

describe('checkWritablePath', () => {
  it('refuses a folder, a missing folder and a file under a file, naming the path as given', ({ dir }) => {
    mkdirSync(join(dir, 'results'));
    writeFileSync(join(dir, 'plain'), '');
    const check = (shown: string, how = RESULTS) =>
      refusal(() => checkWritablePath({ role: 'the results file', shown, path: join(dir, shown) }, how));
    expect(check('results')).toBe(
      'the results file results is a folder: name a file, e.g. results/results.jsonl',
    );
    expect(check('missing/out.jsonl')).toBe(
      'the folder of the results file missing/out.jsonl does not exist: create it first (mkdir -p missing) or name another path',
    );
    expect(check('plain/out.jsonl')).toContain(
      'the folder of the results file plain/out.jsonl does not exist',
    );
  });

  it('refuses a results file that is not a regular file, and lets the summary go to one', ({ dir }) => {
    expect(
      refusal(() =>
        checkWritablePath({ role: 'the results file', shown: '/dev/null', path: '/dev/null' }, RESULTS),
      ),
    ).toBe('the results file /dev/null is not a regular file: name a file lp-batch can read back');
    expect(() =>
      checkWritablePath({ role: '--summary', shown: '/dev/null', path: '/dev/null' }, SUMMARY),
    ).not.toThrow();
    expect(() =>
      checkWritablePath({ role: '--summary', shown: 's.json', path: join(dir, 's.json') }, SUMMARY),
    ).not.toThrow();
  });

  it.skipIf(process.getuid?.() === 0)('refuses a read-only file and a read-only folder', ({ dir }) => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    writeFileSync(join(locked, 'old.jsonl'), '');
    chmodSync(join(locked, 'old.jsonl'), 0o444);
    chmodSync(locked, 0o555);
    try {
      const check = (shown: string) =>
        refusal(() =>
          checkWritablePath({ role: 'the results file', shown, path: join(dir, shown) }, RESULTS),
        );
      expect(check('locked/new.jsonl')).toBe(
        'cannot write the results file locked/new.jsonl: its folder locked is read-only (permission denied)',
      );
      expect(check('locked/old.jsonl')).toBe(
        'cannot write the results file locked/old.jsonl: it is read-only (permission denied)',
      );
    } finally {
      chmodSync(locked, 0o755);
    }
  });
});
