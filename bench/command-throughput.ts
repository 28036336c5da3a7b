/**
 * Benchmark 1: crowdcart against the naive bot (bench/naive-bot) on the same store, in the same
 * run: signed Slack `/cart add` by returning shoppers, `/join` on distinct open groups,
 * `/groupbuy` tagging 3 members, and `GET /healthz`. Both servers are up the whole time; autocannon
 * drives them with the same unique signed requests, 50 connections, alternating which goes first
 * each round; medians over the rounds are compared. A request counts when its reply came back in
 * the acknowledgement.
 * Run: npx tsx bench/command-throughput.ts   (BENCH_SECONDS=3 per round, BENCH_ROUNDS=5;
 * BENCH_ONLY=/join runs one workload; MONGODB_URI=… runs both on that server; BENCH_CPU_PROF=dir
 * writes the CPU profiles of crowdcart and the naive bot)
 */

import { alternate, type Contender, median, type RoundResult, type Workload } from "./support/compare";
import { rssMb } from "./support/proc";
import { runSlashCommand } from "./support/slack-request";
import { startSlackStack } from "./support/slack-stack";
import { machine, printTable } from "./support/stats";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 50;
/** Returning shoppers: each adds a few items over a run (caps: 99 per line, 500 per cart). */
const SHOPPERS = 500;
/** Open groups the joins spread over, each with room for every join a run can send. */
const GROUPS = 100;
const CROWDCART = "crowdcart";

const TARGETS: Record<string, { perSecond: number; p99?: number }> = {
  "/cart add": { perSecond: 1.0, p99: 1.5 },
  "/join": { perSecond: 0.7 },
  "/groupbuy": { perSecond: 0.5 },
  "/healthz": { perSecond: 0.9 },
};

async function main(): Promise<void> {
  const stack = await startSlackStack("bench_commands", { naive: true });
  const { service, sink } = stack;
  const naive = stack.naive!;
  const storePid = stack.pids.store;
  const contenders: Contender[] = [
    {
      name: CROWDCART,
      base: service.base,
      pid: service.child.pid!,
      responseUrl: sink.responseUrl(0),
      storePid,
    },
    {
      name: "naive bot",
      base: naive.base,
      pid: naive.child.pid!,
      responseUrl: sink.responseUrl(0),
      storePid,
    },
  ];
  const isCrowdcart = (c: Contender) => c.name === CROWDCART;
  try {
    const idleRss = rssMb(service.child.pid!);
    let setupId = 1;
    const openGroup = async (c: Contender) => {
      const text = await runSlashCommand(c.base, sink, setupId++, {
        command: "/groupbuy",
        text: "KB-75 size=2 max=1000",
        userId: "UORGANISER",
        triggerId: `bench-setup.${setupId}`,
      });
      const code = /\/g\/([0-9A-Z]+)/.exec(text)?.[1];
      if (!code) throw new Error(`no group code in the /groupbuy reply of ${c.name}: ${text}`);
      return code;
    };
    const groups = new Map<string, string[]>();
    for (const c of contenders) {
      const codes: string[] = [];
      for (let g = 0; g < GROUPS; g++) codes.push(await openGroup(c));
      groups.set(c.name, codes);
    }

    const workloads: Workload[] = [
      {
        name: "/cart add",
        request: (i) => ({ command: "/cart", text: "add KB-75 qty=1", userId: `U${i % SHOPPERS}` }),
        answered: (text, c) => (isCrowdcart(c) ? text.includes("/s/") : text.startsWith("Your cart")),
      },
      {
        name: "/join",
        request: (i, c) => ({
          command: "/join",
          text: groups.get(c.name)![i % GROUPS]!,
          userId: `UJ${Math.floor(i / GROUPS)}`,
        }),
        answered: (text, c) => (isCrowdcart(c) ? text.includes(" joined group ") : text.startsWith("Joined")),
      },
      {
        name: "/groupbuy",
        request: (i) => {
          const n = i % SHOPPERS;
          return {
            command: "/groupbuy",
            text: `KB-75 size=5 <@UA${n}> <@UB${n}> <@UC${n}>`,
            userId: `UO${n}`,
          };
        },
        answered: (text) => text.includes("/g/"),
      },
      {
        name: "/healthz",
        request: () => ({ get: "/healthz" }),
        answered: (text) => text.includes('"ok"'),
      },
    ];

    const options = { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, warmup: SHOPPERS };
    const rows = [];
    const rounds = [];
    const only = process.env.BENCH_ONLY;
    for (const workload of workloads.filter((w) => !only || w.name === only)) {
      const results = await alternate(contenders, workload, options);
      const ours = summary(results.get(CROWDCART)!);
      const theirs = summary(results.get("naive bot")!);
      const target = TARGETS[workload.name]!;
      const ratio = ours.perSecond / theirs.perSecond;
      const p99Ratio = ours.p99 / theirs.p99;
      const met = ratio >= target.perSecond && (target.p99 === undefined || p99Ratio <= target.p99);
      rows.push({
        workload: workload.name,
        "crowdcart req/s": Math.round(ours.perSecond),
        "naive req/s": Math.round(theirs.perSecond),
        ratio: ratio.toFixed(2),
        "crowdcart p99 ms": ours.p99,
        "naive p99 ms": theirs.p99,
        "p99 ratio": p99Ratio.toFixed(2),
        "CPU ms/req crowdcart : naive": `${ours.cpuMs.toFixed(2)} : ${theirs.cpuMs.toFixed(2)}`,
        "store CPU ms/req": `${ours.storeCpuMs.toFixed(2)} : ${theirs.storeCpuMs.toFixed(2)}`,
        target: `≥ ${target.perSecond.toFixed(1)}×${target.p99 ? `, p99 ≤ ${target.p99}×` : ""}`,
        verdict: met ? "met" : "MISSED",
      });
      for (const [name, list] of results) {
        rounds.push({
          workload: workload.name,
          server: name,
          "req/s by round": list.map((r) => Math.round(r.perSecond)).join(" / "),
          "p99 ms by round": list.map((r) => r.p99).join(" / "),
          // The slowest acknowledgement of a saturated server: Slack gives up after 3 s.
          "slowest ms by round": list.map((r) => r.max).join(" / "),
          "not answered": list.reduce((sum, r) => sum + r.other, 0),
        });
      }
    }
    const loadedRss = rssMb(service.child.pid!);
    printTable(
      `crowdcart against the naive bot: medians of ${ROUNDS} alternated rounds of ${SECONDS} s, ${CONNECTIONS} connections — ${machine()}`,
      rows,
    );
    printTable("Every round", rounds);
    printTable("crowdcart's memory", [
      {
        "RSS idle (started) MB": Math.round(idleRss),
        "RSS loaded (end) MB": Math.round(loadedRss),
        targets: "< 150 MB idle, < 250 MB loaded",
      },
    ]);
  } finally {
    await stack.stop();
  }
}

function summary(rounds: RoundResult[]) {
  return {
    perSecond: median(rounds.map((r) => r.perSecond)),
    p99: median(rounds.map((r) => r.p99)),
    cpuMs: median(rounds.map((r) => r.cpuMs)),
    storeCpuMs: median(rounds.map((r) => r.storeCpuMs)),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
