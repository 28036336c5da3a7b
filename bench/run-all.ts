/**
 * `npm run bench`: every benchmark, one after another, each in a process of its own so none
 * inherits another's heap or JIT state. Each prints its own table.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const BENCHES = [
  "../embedded-mongo/bench.ts",
  "../embedded-mongo/bench-journal.ts",
  "group-page.ts",
  "footprint.ts",
  "command-throughput.ts",
  "join-contention.ts",
  "dm-fanout.ts",
];

let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n=== ${join("bench", bench)}`);
  const run = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, bench)], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
