/**
 * Preloaded into every measured child (`node --import ./scripts/bench-rusage.js ...`): when the
 * process exits, writes the kernel's account of it (getrusage: user and system CPU, peak RSS) to the
 * file named by BENCH_RUSAGE_FILE. Node cannot wait4() a child, so the child reports its own
 * counters; they are the kernel's figures for the whole process, not anything lp-batch computes.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE_FILE;
if (file) {
  // Not passed on to whatever the measured process spawns.
  delete process.env.BENCH_RUSAGE_FILE;
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        cpuUs: usage.userCPUTime + usage.systemCPUTime,
        userUs: usage.userCPUTime,
        systemUs: usage.systemCPUTime,
        // ru_maxrss is in kilobytes on Linux.
        maxRssBytes: usage.maxRSS * 1024,
      }),
    );
  });
}
