/**
 * What the journal costs: insertOne and findOneAndUpdate from 50 concurrent writers, through
 * the driver, against the store in memory and the store with a data directory (every reply
 * after its fsync, writes that arrive together sharing one), in alternating slices; then how
 * long a restart takes to rebuild 100,000 documents, from the journal alone and from a snapshot.
 * Run: npx tsx embedded-mongo/bench-journal.ts   (BENCH_OPS=20000, BENCH_DOCS=100000)
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type Collection, MongoClient } from "mongodb";
import { startEmbeddedMongo } from ".";
import { recoverStore } from "./persistence/data-dir";

const OPS = Number(process.env.BENCH_OPS ?? 20_000);
const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const WRITERS = 50;
const SLICES = 10;

/** Operations `from` … `from + count - 1` from 50 concurrent writers; the seconds they took. */
async function pool(from: number, count: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = from;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < from + count) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
}

type Docs = Collection<{ _id: number; n: number; name?: string }>;

async function openStore(dataDir: string | undefined): Promise<{ docs: Docs; close(): Promise<void> }> {
  const store = await startEmbeddedMongo(dataDir ? { dataDir } : {});
  const client = await new MongoClient(store.uri, { maxPoolSize: WRITERS }).connect();
  const docs: Docs = client.db("bench").collection("docs");
  // A warm-up, so both stores are measured with their code compiled.
  await pool(0, 2000, (i) => docs.insertOne({ _id: -1 - i, n: 0 }));
  return {
    docs,
    async close() {
      await client.close();
      await store.stop();
    },
  };
}

const operations = {
  insert: (docs: Docs, i: number) => docs.insertOne({ _id: i, n: 0, name: `user ${i}` }),
  update: (docs: Docs, i: number) =>
    docs.findOneAndUpdate({ _id: i % WRITERS }, { $inc: { n: 1 } }, { returnDocument: "after" }),
};

/**
 * Both stores measured in turns (in memory, durable, durable, in memory, …) in slices of the
 * work, so a change in the machine's load during the run weighs on both alike and the ratio
 * stays the journal's own cost.
 */
async function writeRates(dir: string) {
  const stores = { memory: await openStore(undefined), durable: await openStore(dir) };
  const seconds = { memory: { insert: 0, update: 0 }, durable: { insert: 0, update: 0 } };
  const per = Math.ceil(OPS / SLICES);
  try {
    for (const kind of ["insert", "update"] as const) {
      for (let slice = 0; slice < SLICES; slice++) {
        const turns = slice % 2 === 0 ? (["memory", "durable"] as const) : (["durable", "memory"] as const);
        for (const which of turns)
          seconds[which][kind] += await pool(slice * per, per, (i) =>
            operations[kind](stores[which].docs, i),
          );
      }
    }
  } finally {
    await stores.memory.close();
    await stores.durable.close();
  }
  const rates = (s: { insert: number; update: number }) => ({
    insert: (per * SLICES) / s.insert,
    update: (per * SLICES) / s.update,
  });
  return { memory: rates(seconds.memory), durable: rates(seconds.durable) };
}

interface Timing {
  wallMs: number;
  /** CPU time of this process: what the work costs when the machine is shared. */
  cpuMs: number;
}

function timed(fn: () => void): Timing {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const used = process.cpuUsage(cpu);
  return { wallMs: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000 };
}

const show = (t: Timing) => `${Math.round(t.wallMs)} ms (CPU ${Math.round(t.cpuMs)} ms)`;

async function restartTimes(dir: string): Promise<{ journal: Timing; snapshot: Timing }> {
  const store = await startEmbeddedMongo({ dataDir: dir });
  const client = await new MongoClient(store.uri).connect();
  const users = client.db("bench").collection("users");
  await users.createIndex({ email: 1 }, { unique: true });
  for (let at = 0; at < DOCS; at += 1000)
    await users.insertMany(
      Array.from({ length: 1000 }, (_, i) => ({
        email: `u${at + i}@bench`,
        name: `user ${at + i}`,
        score: (at + i) % 1000,
        tags: ["a", "b"],
        createdAt: new Date(),
      })),
    );
  await client.close();
  const journal = timed(() => recoverStore(dir, false));
  process.kill(store.pid!, "SIGUSR2");
  while (
    !readdirSync(dir).some((f) => f.startsWith("snapshot-")) ||
    readdirSync(dir).some((f) => f.endsWith(".tmp"))
  )
    await new Promise((r) => setTimeout(r, 50));
  await store.stop();
  const snapshot = timed(() => recoverStore(dir, false));
  return { journal, snapshot };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-journal-"));
  try {
    const { memory, durable } = await writeRates(join(dir, "rates"));
    const restart = await restartTimes(join(dir, "restart"));
    const cpu = cpus()[0]?.model ?? "unknown CPU";
    console.log(
      `\njournal benchmark: ${WRITERS} concurrent writers, ${OPS} operations of each kind; ${cpus().length} × ${cpu}\n`,
    );
    console.log(
      "| operation | in memory (ops/s) | durable (ops/s) | durable / in memory |\n|---|---:|---:|---:|",
    );
    for (const [name, key] of [
      ["insertOne", "insert"],
      ["findOneAndUpdate", "update"],
    ] as const) {
      console.log(
        `| ${name} | ${Math.round(memory[key])} | ${Math.round(durable[key])} | ${(durable[key] / memory[key]).toFixed(2)}× |`,
      );
    }
    console.log(
      `\nrebuilding ${DOCS} documents at start (target: 2 s): ${show(restart.journal)} from the journal alone, ${show(restart.snapshot)} from a snapshot; load average ${loadavg()[0]?.toFixed(1)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
