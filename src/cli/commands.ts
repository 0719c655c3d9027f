/**
 * Every command, in the order `--help` lists them. Each file defines its flags and its handler; a
 * handler imports what only it needs (undici, zod, ...) when it runs, so that loading this list,
 * for `--help` or a usage error, stays cheap.
 */
import { cancelCommand } from './cancel.js';
import type { Command } from './command.js';
import { estimateCommand } from './estimate.js';
import { mergeCommand } from './merge.js';
import { mockServerCommand } from './mock-server.js';
import { pricingCommand } from './pricing.js';
import { resultsCommand } from './results.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { submitCommand } from './submit.js';
import { summarizeCommand } from './summarize.js';

export const COMMANDS: readonly Command[] = [
  runCommand,
  submitCommand,
  statusCommand,
  cancelCommand,
  resultsCommand,
  estimateCommand,
  pricingCommand,
  summarizeCommand,
  mergeCommand,
  mockServerCommand,
];
