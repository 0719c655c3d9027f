/**
 * A real terminal for tests of what a person sees: a tmux pane of 80 columns, typed in with
 * send-keys, read back with capture-pane. `hasTmux` false where tmux is not installed (.ci/run
 * installs it on CI): tests then skip, saying so.
 */
import { execFileSync } from 'node:child_process';
import { TEST_KEY } from './run-helpers.js';

export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
export const SKIPPED = 'tmux is not installed: the progress bar is not tested in a terminal (skipped)';
if (!hasTmux) process.stderr.write(`${SKIPPED}\n`);

// One server per test file: a file's closeTmux ends its own panes only.
const SOCKET = `lp-batch-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
/** Ends this process's tmux server and every pane in it: call it once a file's tests are done. */
export function closeTmux(): void {
  if (!hasTmux) return;
  try {
    tmux('kill-server');
  } catch {
    // No session was left.
  }
}

let sessions = 0;

/** A shell in a fresh 80 x 40 pane, with the test key in its environment (never typed). */
export function openPane(): {
  type: (text: string) => void;
  key: (name: string) => void;
  screen: () => string;
} {
  const name = `s${++sessions}`;
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    '80',
    '-y',
    '40',
    '-e',
    `ANTHROPIC_API_KEY=${TEST_KEY}`,
    'bash --norc',
  );
  return {
    type: (text) => tmux('send-keys', '-t', name, '-l', text),
    key: (keyName) => tmux('send-keys', '-t', name, keyName),
    // -J joins lines the terminal wrapped: what was printed as one line reads as one.
    screen: () => tmux('capture-pane', '-p', '-J', '-t', name),
  };
}

/** The pane's text once it matches `pattern`, read every 100 ms; rejects after `timeoutMs`. */
export async function until(screen: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > end) throw new Error(`Expected the pane to show ${pattern}, it shows:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
