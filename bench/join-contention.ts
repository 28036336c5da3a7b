/**
 * Benchmark 2: 1,000 concurrent signed Slack `/join`s on a group with max=50, through the whole
 * stack. Holds when exactly 50 orders exist afterwards and every request got a reply; target p99
 * under 1 s (measured until the reply: in the acknowledgement, or on response_url).
 * Run: npx tsx bench/join-contention.ts
 */
import mongoose from "mongoose";
import { cpuMeter } from "./support/proc";
import { runSlashCommand } from "./support/slack-request";
import { startSlackStack } from "./support/slack-stack";
import { machine, printTable, summarize } from "./support/stats";

const JOINERS = Number(process.env.BENCH_JOINERS ?? 1000);
const MAX = 50;

async function main(): Promise<void> {
  const stack = await startSlackStack("bench_joins");
  const { service, sink, uri } = stack;
  const db = await mongoose.createConnection(uri).asPromise();
  try {
    let id = 0;
    const command = async (name: string, text: string, userId: string) => {
      const reply = ++id;
      const t0 = performance.now();
      const body = await runSlashCommand(
        service.base,
        sink,
        reply,
        { command: name, text, userId, triggerId: `join-bench.${reply}` },
        30_000,
      );
      return { body, ms: performance.now() - t0 };
    };

    const opened = await command("/groupbuy", `KB-75 size=${MAX} max=${MAX}`, "UORGANISER");
    const code = /\/g\/([0-9A-Z]+)/.exec(opened.body)?.[1];
    if (!code) throw new Error(`no group code in the /groupbuy reply: ${opened.body}`);

    const cpu = cpuMeter(stack.pids);
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: JOINERS }, (_, i) => command("/join", code, `UJ${i}`).catch(() => undefined)),
    );
    const seconds = (performance.now() - started) / 1000;
    const answered = results.filter((r) => r?.body);
    const orders = await db.collection("orders").countDocuments({ groupCode: code });
    const latency = summarize(answered.map((r) => r!.ms));

    printTable(`Join contention: ${JOINERS} concurrent /join, max=${MAX} — ${machine()}`, [
      {
        requests: JOINERS,
        answered: answered.length,
        "orders (must be 50)": orders,
        "p50 ms": latency.p50,
        "p99 ms": latency.p99,
        "max ms": latency.max,
        "wall s": seconds,
        verdict: orders === MAX && answered.length === JOINERS ? "exact" : "WRONG",
      },
    ]);
    printTable("CPU seconds used during the burst, by process", [cpu.read()]);
    if (orders !== MAX || answered.length !== JOINERS) process.exitCode = 1;
  } finally {
    await db.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
