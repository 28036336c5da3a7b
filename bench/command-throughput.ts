/**
 * Benchmark 1: signed Slack `/cart add` requests through the whole stack (signature check, Bolt,
 * router, idempotency record, cart session on the embedded store, the reply) at 50
 * concurrent connections, against `GET /healthz` (one database ping) in the same run.
 * Targets: p99 under 100 ms; throughput at least a third of the healthz floor.
 * Run: npx tsx bench/command-throughput.ts   (BENCH_SECONDS=10; BENCH_CPU_PROF=dir writes a server CPU profile)
 */
import { closedLoop, type LoadResult } from "./support/load";
import { cpuMeter, rssMb } from "./support/proc";
import { runSlashCommand } from "./support/slack-request";
import { startSlackStack } from "./support/slack-stack";
import { machine, printTable } from "./support/stats";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 50;
// Shoppers come back: each adds a few items over a run, as people do (caps: 99 per line, 500 per cart).
const SHOPPERS = 500;

async function main(): Promise<void> {
  const stack = await startSlackStack("bench_commands");
  const { service, sink } = stack;
  const pid = service.child.pid!;
  try {
    let sequence = 0;
    const cartAdd = async () => {
      const id = ++sequence;
      const reply = await runSlashCommand(service.base, sink, id, {
        command: "/cart",
        text: "add KB-75 qty=1",
        userId: `U${id % SHOPPERS}`,
        triggerId: `bench.${id}`,
      });
      return reply.includes("/s/");
    };
    const healthz = async () => (await fetch(`${service.base}/healthz`)).status === 200;
    const window = { concurrency: CONCURRENCY, durationMs: SECONDS * 1000, maxRequests: 200_000 };

    await closedLoop(cartAdd, { ...window, durationMs: 2000 }); // warm-up: JIT, connection pools, indexes
    const idleRss = rssMb(pid);
    const healthCpu = cpuMeter(stack.pids);
    const health = await closedLoop(healthz, window);
    const healthSeconds = healthCpu.read();
    const commandCpu = cpuMeter(stack.pids);
    const commands = await closedLoop(cartAdd, window);
    const commandSeconds = commandCpu.read();
    const loadedRss = rssMb(pid);

    const row = (name: string, r: LoadResult) => ({
      workload: name,
      "req/s": Math.round(r.perSecond),
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      "max ms": r.max,
      completed: r.completed,
      failed: r.failed,
    });
    printTable(`Command throughput, ${CONCURRENCY} concurrent, ${SECONDS} s each — ${machine()}`, [
      row("GET /healthz (one ping)", health),
      row("Slack /cart add, signed, until its reply", commands),
    ]);
    const perRequest = (name: string, r: LoadResult, seconds: Record<string, number>) => ({
      workload: name,
      ...Object.fromEntries(
        Object.entries(seconds).map(([process, s]) => [
          `${process} ms`,
          ((1000 * s) / r.completed).toFixed(2),
        ]),
      ),
    });
    printTable("CPU time per request, by process", [
      perRequest("GET /healthz", health, healthSeconds),
      perRequest("Slack /cart add", commands, commandSeconds),
    ]);
    printTable("Ratio and memory", [
      {
        "commands / healthz": (commands.perSecond / health.perSecond).toFixed(2),
        "target ratio": ">= 0.33",
        "p99 target": "< 100 ms",
        // A closed loop's mean latency is its concurrency over its throughput (Little's law):
        // p99 under 100 ms at 50 connections needs well over 500 req/s.
        "mean latency floor ms (50 ÷ req/s)": Math.round((1000 * CONCURRENCY) / commands.perSecond),
        "server RSS after warm-up MB": Math.round(idleRss),
        "server RSS loaded MB": Math.round(loadedRss),
      },
    ]);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
