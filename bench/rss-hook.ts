/**
 * Preloaded into every node process of a measured run (npm's own included): each appends its
 * peak resident memory to BENCH_RSS_FILE when it exits, one JSON line per process.
 */
import * as fs from 'fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    fs.appendFileSync(file, `${JSON.stringify({ pid: process.pid, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  });
}
