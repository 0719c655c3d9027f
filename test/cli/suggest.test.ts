import { describe, expect, it } from 'vitest';
import { mockServerCommand } from '../../src/cli/mock-server.js';
import { runCommand } from '../../src/cli/run.js';
import { editDistance, findArgvMistake, nearest } from '../../src/cli/suggest.js';

const COMMANDS = [runCommand, mockServerCommand];

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps of neighbours as one each', () => {
    expect(editDistance('concurency', 'concurrency')).toBe(1);
    expect(editDistance('rnu', 'run')).toBe(1);
    expect(editDistance('progres', 'progress')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('nearest', () => {
  it('suggests the closest candidate within a third of the word, or a candidate the word begins', () => {
    expect(nearest('concurency', ['max-cost', 'concurrency', 'timeout'])).toBe('concurrency');
    expect(nearest('latency', ['port', 'latency-ms', 'jitter-ms'])).toBe('latency-ms');
    expect(nearest('zzz', ['run', 'mock-server'])).toBeNull();
    expect(nearest('timeout', ['idle-timeout'])).toBeNull();
  });
});

describe('findArgvMistake', () => {
  it('lets known commands and flags through, in every spelling yargs takes', () => {
    for (const argv of [
      [],
      ['--help'],
      ['--version'],
      ['run', 'in', 'out', '-c', '4', '--max-cost=0.5', '--no-adaptive-concurrency', '--maxRetries', '2'],
      ['run', 'in', 'out', '--max-cost', '-1', '--', '--anything'],
      ['run', '-', 'out'],
      ['mock-server', '--port', '0', '--overload-rate', '0.2', '--help'],
    ]) {
      expect(findArgvMistake(argv, COMMANDS), argv.join(' ')).toBeNull();
    }
  });

  it('names an unknown flag with the nearest one of that command', () => {
    expect(findArgvMistake(['run', 'a', 'b', '--concurency', '4'], COMMANDS)).toBe(
      'unknown option --concurency: did you mean --concurrency? (lp-batch run --help lists them)',
    );
    expect(findArgvMistake(['mock-server', '--overload', '0.1'], COMMANDS)).toBe(
      'unknown option --overload: did you mean --overload-rate? (lp-batch mock-server --help lists them)',
    );
    expect(findArgvMistake(['run', 'a', 'b', '--frobnicate'], COMMANDS)).toBe(
      'unknown option --frobnicate (lp-batch run --help lists them)',
    );
    expect(findArgvMistake(['run', 'a', 'b', '-x'], COMMANDS)).toBe(
      'unknown option -x (lp-batch run --help lists them)',
    );
    expect(findArgvMistake(['--verison'], COMMANDS)).toBe(
      'unknown option --verison: did you mean --version? (lp-batch --help lists them)',
    );
  });

  it('names an unknown command with the nearest one', () => {
    expect(findArgvMistake(['rnu', 'a', 'b'], COMMANDS)).toBe(
      'unknown command `rnu`: did you mean `run`? (the commands: run, mock-server)',
    );
    expect(findArgvMistake(['mock', '--port', '0'], COMMANDS)).toBe(
      'unknown command `mock`: did you mean `mock-server`? (the commands: run, mock-server)',
    );
  });
});
