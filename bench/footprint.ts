/**
 * Benchmark 4: start-up time from `npm start` to a healthy `/healthz` (embedded store included),
 * and the server's resident memory when idle. The loaded figure comes from benchmark 1.
 * Targets: healthy in under 5 s; under 150 MB idle.
 * Run: npx tsx bench/footprint.ts
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { rssMb } from "./support/proc";
import { machine, printTable } from "./support/stats";

const ROOT = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The node process running src/main.ts under `npm start` (npm → sh → node). */
function serverPid(rootPid: number): number | undefined {
  const children = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  };
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    if (cmdline.includes("src/main.ts") && /^(\S*\/)?node /.test(cmdline)) return pid;
    queue.push(...children(pid));
  }
  return undefined;
}

async function oneStart(): Promise<{ seconds: number; idleMb: number }> {
  const port = await freePort();
  const started = performance.now();
  const npm = spawn("npm", ["start"], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: "ignore",
    detached: true,
  });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() - started > 60_000) throw new Error("not healthy within 60 s");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 5000)); // idle: workers polling, nothing to do
    const pid = serverPid(npm.pid!);
    return { seconds, idleMb: pid ? rssMb(pid) : Number.NaN };
  } finally {
    process.kill(-npm.pid!, "SIGTERM");
    await new Promise((resolve) => npm.once("exit", resolve));
  }
}

async function main(): Promise<void> {
  const rows = [];
  for (let run = 1; run <= RUNS; run++) {
    const { seconds, idleMb } = await oneStart();
    rows.push({ run, "npm start → healthy s": seconds, "idle RSS MB": Math.round(idleMb) });
  }
  printTable(`Footprint (embedded store, demo catalog) — ${machine()}`, rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
