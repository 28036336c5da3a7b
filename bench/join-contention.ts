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
  const { service, uri } = stack;
  const db = await mongoose.createConnection(uri).asPromise();
  try {
    let id = 0;
    const command = async (name: string, text: string, userId: string) => {
      const reply = ++id;
      const t0 = performance.now();
      const body = await runSlashCommand(
        service.base,
        stack.sink,
        reply,
        { command: name, text, userId, triggerId: `join-bench.${reply}` },
        30_000,
      );
      return { body, ms: performance.now() - t0 };
    };

    const openGroup = async () => {
      const opened = await command("/groupbuy", `KB-75 size=${MAX} max=${MAX}`, "UORGANISER");
      const code = /\/g\/([0-9A-Z]+)/.exec(opened.body)?.[1];
      if (!code) throw new Error(`no group code in the /groupbuy reply: ${opened.body}`);
      return code;
    };
    // A server that has been serving, as in production: the same burst on another group first
    // (JIT-compiled paths, open connections), then the measured one.
    const warmup = await openGroup();
    await Promise.all(
      Array.from({ length: JOINERS }, (_, i) => command("/join", warmup, `UW${i}`).catch(() => undefined)),
    );
    const floor = await healthzBurst(service.base, JOINERS);
    const code = await openGroup();

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
    printTable("CPU seconds used during the /join burst, by process", [cpu.read()]);
    printTable(`The floor: ${JOINERS} concurrent GET /healthz (one ping each), same server, just before`, [
      {
        "answered 200": floor.count,
        "503 (ping over 1.5 s)": JOINERS - floor.count,
        "p50 ms": floor.p50,
        "p99 ms": floor.p99,
        "max ms": floor.max,
      },
    ]);
    if (orders !== MAX || answered.length !== JOINERS) process.exitCode = 1;
  } finally {
    await db.close();
    await stack.stop();
  }
}

async function healthzBurst(base: string, requests: number) {
  const times = await Promise.all(
    Array.from({ length: requests }, async () => {
      const t0 = performance.now();
      const res = await fetch(`${base}/healthz`);
      await res.text();
      return res.status === 200 ? performance.now() - t0 : undefined;
    }),
  );
  return summarize(times.filter((ms) => ms !== undefined));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
