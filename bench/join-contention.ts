/**
 * Benchmark 2: 1,000 simultaneous signed Slack `/join`s on a group with max=50, through the whole
 * stack, on a warmed server, next to the same burst on the naive bot (bench/naive-bot) on the
 * same store. Holds when exactly 50 orders exist afterwards and every one of the 1,000 requests was
 * answered within Slack's 3-second window (the maximum, not p99).
 * Run: npx tsx bench/join-contention.ts   (BENCH_JOINERS=1000; MONGODB_URI=… uses that server)
 */
import mongoose from "mongoose";
import type { SpawnedService } from "../test/support/spawn-service";
import { cpuMeter } from "./support/proc";
import { runSlashCommand } from "./support/slack-request";
import { startSlackStack } from "./support/slack-stack";
import { machine, printTable, summarize } from "./support/stats";

const JOINERS = Number(process.env.BENCH_JOINERS ?? 1000);
const MAX = 50;
const WINDOW_MS = 3000;

async function main(): Promise<void> {
  const stack = await startSlackStack("bench_joins", { naive: true });
  const { service, uri } = stack;
  const naive = stack.naive!;
  const db = await mongoose.createConnection(uri).asPromise();
  const naiveDb = db.useDb(`${db.name}_naive`);
  try {
    let id = 0;
    const command = async (server: SpawnedService, name: string, text: string, userId: string) => {
      const reply = ++id;
      const t0 = performance.now();
      const body = await runSlashCommand(
        server.base,
        stack.sink,
        reply,
        { command: name, text, userId, triggerId: `join-bench.${reply}` },
        30_000,
      );
      return { body, ms: performance.now() - t0 };
    };
    const openGroup = async (server: SpawnedService) => {
      const opened = await command(server, "/groupbuy", `KB-75 size=${MAX} max=${MAX}`, "UORGANISER");
      const code = /\/g\/([0-9A-Z]+)/.exec(opened.body)?.[1];
      if (!code) throw new Error(`no group code in the /groupbuy reply: ${opened.body}`);
      return code;
    };
    const burst = async (server: SpawnedService, code: string, prefix: string) => {
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: JOINERS }, (_, i) =>
          command(server, "/join", code, `${prefix}${i}`).catch(() => undefined),
        ),
      );
      return { results, seconds: (performance.now() - started) / 1000 };
    };

    // Servers that have been serving, as in production: the same burst on another group first
    // (JIT-compiled paths, open connections), then the measured one.
    for (const server of [service, naive]) await burst(server, await openGroup(server), "UW");

    const code = await openGroup(service);
    const ourCpu = cpuMeter(stack.pids);
    const ours = await burst(service, code, "UJ");
    const cpuSeconds = ourCpu.read();
    const naiveCode = await openGroup(naive);
    const naiveCpu = cpuMeter(stack.pids);
    const theirs = await burst(naive, naiveCode, "UJ");
    const naiveCpuSeconds = naiveCpu.read()["naive bot"] ?? Number.NaN;

    // How long crowdcart took to write its 50 orders (the naive bot's orders carry no time).
    const placed = await db.collection("orders").find({ groupCode: code }).toArray();
    const times = placed.map((o) => new Date(o.createdAt as Date).getTime());
    const naiveCount = await naiveDb.collection("orders").countDocuments({ group: naiveCode });
    const row = (
      name: string,
      run: typeof ours,
      orders: { count: number; spreadMs?: number },
      serverCpuSeconds: number,
    ) => {
      const answered = run.results.filter((r) => r?.body);
      const latency = summarize(answered.map((r) => r!.ms));
      const exact = orders.count === MAX && answered.length === JOINERS;
      return {
        server: name,
        answered: `${answered.length} of ${JOINERS}`,
        "orders (must be 50)": orders.count,
        "orders written within ms": orders.spreadMs === undefined ? "—" : Math.round(orders.spreadMs),
        "p50 ms": Math.round(latency.p50),
        "p99 ms": Math.round(latency.p99),
        "max ms": Math.round(latency.max),
        "max within 3 s": latency.max <= WINDOW_MS ? "yes" : "NO",
        "server CPU ms/req": (serverCpuSeconds * 1000) / JOINERS,
        verdict:
          exact && latency.max <= WINDOW_MS ? "exact, all within 3 s" : exact ? "exact, LATE" : "WRONG",
      };
    };
    const rows = [
      row(
        "crowdcart",
        ours,
        { count: times.length, spreadMs: Math.max(...times) - Math.min(...times) },
        cpuSeconds.server ?? Number.NaN,
      ),
      row("naive bot", theirs, { count: naiveCount }, naiveCpuSeconds),
    ];
    printTable(
      `Join contention: ${JOINERS} simultaneous /join, max=${MAX}, warmed servers — ${machine()}`,
      rows,
    );
    printTable("CPU seconds used during crowdcart's /join burst, by process", [cpuSeconds]);
    for (const r of rows) {
      console.log(
        `${r.server}: slowest answer ${r["max ms"]} ms — ${r["max within 3 s"] === "yes" ? "within" : "NOT within"} Slack's 3-second window`,
      );
    }
    if (rows[0]!.verdict !== "exact, all within 3 s") process.exitCode = 1;
  } finally {
    await db.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
