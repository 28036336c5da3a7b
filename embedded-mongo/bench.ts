/**
 * Embedded store throughput through mongoose, the way the app uses it: the store runs in its own
 * process (as `npm start` and the tests run it) and this process drives it over TCP.
 * Run: npx tsx bench/embedded-mongo.ts
 *   BENCH_DOCS=100000 (default), BENCH_IN_PROCESS=1 to run the store in this process instead,
 *   MONGODB_URI=... to run the same table against a real MongoDB.
 */
import mongoose from "mongoose";
import { startEmbeddedMongo } from ".";

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5_000);
const CONCURRENCY = 16;
const CONTENDERS = 200;
const CONTENDED_ROUNDS = 10;

interface Row {
  operation: string;
  ops: number;
  seconds: number;
}

async function timed(operation: string, ops: number, run: () => Promise<void>): Promise<Row> {
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { operation, ops, seconds };
}

/** Runs `total` calls of `task`, `concurrency` at a time. */
async function pool(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

async function main(): Promise<void> {
  const external = process.env.MONGODB_URI;
  const inProcess = process.env.BENCH_IN_PROCESS === "1";
  const store = external ? undefined : await startEmbeddedMongo({ inProcess });
  const base = new URL(external ?? store!.uri);
  base.pathname = "/bench_embedded";
  const connection = await mongoose.createConnection(base.toString()).asPromise();
  const schema = new mongoose.Schema({
    email: { type: String, unique: true },
    name: String,
    score: Number,
    tags: [String],
  });
  const User = connection.model("BenchUser", schema);
  const Counter = connection.model(
    "BenchCounter",
    new mongoose.Schema({ key: { type: String, unique: true }, n: Number }),
  );
  await connection.dropDatabase();
  await User.init();
  await Counter.init();

  const rows: Row[] = [];
  const single = Math.min(SAMPLES, DOCS);
  rows.push(
    await timed("insert (insertOne, 16 concurrent)", single, () =>
      pool(single, CONCURRENCY, (i) =>
        User.create({ email: `u${i}@bench`, name: `user ${i}`, score: i % 1000, tags: ["a", "b"] }),
      ),
    ),
  );
  const batch = 1_000;
  const bulkDocs = DOCS - single;
  rows.push(
    await timed(`insert (insertMany, ${batch}/batch)`, bulkDocs, async () => {
      for (let at = single; at < DOCS; at += batch) {
        const docs = [];
        for (let i = at; i < Math.min(DOCS, at + batch); i++)
          docs.push({ email: `u${i}@bench`, name: `user ${i}`, score: i % 1000, tags: ["a", "b"] });
        await User.insertMany(docs, { lean: true });
      }
    }),
  );
  const ids = (await User.find({}, { _id: 1 }).lean()).map((d) => d._id);
  const pick = (i: number) => (i * 7919) % ids.length;
  rows.push(
    await timed(`findById over ${DOCS} docs`, SAMPLES, () =>
      pool(SAMPLES, CONCURRENCY, (i) => User.findById(ids[pick(i)]).lean()),
    ),
  );
  rows.push(
    await timed(`indexed findOne (email) over ${DOCS} docs`, SAMPLES, () =>
      pool(SAMPLES, CONCURRENCY, (i) => User.findOne({ email: `u${pick(i)}@bench` }).lean()),
    ),
  );
  await Counter.create({ key: "hot", n: 0 });
  rows.push(
    await timed(`findOneAndUpdate, ${CONTENDERS}-way contended`, CONTENDERS * CONTENDED_ROUNDS, async () => {
      for (let round = 0; round < CONTENDED_ROUNDS; round++) {
        await Promise.all(
          Array.from({ length: CONTENDERS }, () =>
            Counter.findOneAndUpdate({ key: "hot" }, { $inc: { n: 1 } }, { returnDocument: "after" }).lean(),
          ),
        );
      }
    }),
  );
  const final = await Counter.findOne({ key: "hot" }).lean();
  if (final?.n !== CONTENDERS * CONTENDED_ROUNDS) throw new Error(`lost updates: counter is ${final?.n}`);

  console.log(
    `\nembedded store benchmark (${external ? "MONGODB_URI" : inProcess ? "embedded, in process" : "embedded, child process"}; ${DOCS} documents)\n`,
  );
  console.log(`| operation | ops | seconds | ops/s |\n|---|---:|---:|---:|`);
  for (const row of rows) {
    console.log(
      `| ${row.operation} | ${row.ops} | ${row.seconds.toFixed(2)} | ${Math.round(row.ops / row.seconds)} |`,
    );
  }
  const byId = rows[2]!;
  const byEmail = rows[3]!;
  const ratio = byId.ops / byId.seconds / (byEmail.ops / byEmail.seconds);
  console.log(`\nfindById / indexed findOne = ${ratio.toFixed(2)}x (target: within 2x)`);
  await connection.dropDatabase();
  await connection.close();
  await store?.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
