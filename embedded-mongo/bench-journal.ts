/**
 * What the journal costs: insertOne and findOneAndUpdate from 50 concurrent writers, through
 * the driver, against the store in memory and the store with a data directory (every reply
 * after its fsync, writes that arrive together sharing one); then how long a restart takes to
 * rebuild 100,000 documents, from the journal alone and from a snapshot.
 * Run: npx tsx embedded-mongo/bench-journal.ts   (BENCH_OPS=20000, BENCH_DOCS=100000)
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from ".";
import { recoverStore } from "./persistence/data-dir";

const OPS = Number(process.env.BENCH_OPS ?? 20_000);
const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const WRITERS = 50;

async function pool(total: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function writeRates(dataDir: string | undefined): Promise<{ insert: number; update: number }> {
  const store = await startEmbeddedMongo(dataDir ? { dataDir } : {});
  const client = await new MongoClient(store.uri, { maxPoolSize: WRITERS }).connect();
  try {
    const coll = client.db("bench").collection<{ _id: number; n: number; name?: string }>("docs");
    // A warm-up, so both stores are measured with their code compiled.
    await pool(2000, (i) => coll.insertOne({ _id: -1 - i, n: 0 }));
    const insert = await pool(OPS, (i) => coll.insertOne({ _id: i, n: 0, name: `user ${i}` }));
    const update = await pool(OPS, (i) =>
      coll.findOneAndUpdate({ _id: i % WRITERS }, { $inc: { n: 1 } }, { returnDocument: "after" }),
    );
    return { insert, update };
  } finally {
    await client.close();
    await store.stop();
  }
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
    const memory = await writeRates(undefined);
    const durable = await writeRates(join(dir, "rates"));
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
