import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { MongoClient } from "mongodb";
import { type EmbeddedMongo, startEmbeddedMongo } from "..";
import { recoverStore } from "../persistence/data-dir";
import { openDataDir } from "../persistence/open-data-dir";

/**
 * A store with a data directory keeps every acknowledged write through a kill -9 of its
 * process: documents, collections, indexes, TTL indexes and committed transactions.
 */
const dirs: string[] = [];
const running: EmbeddedMongo[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "embedded-durable-"));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, compactBytes?: number): Promise<EmbeddedMongo> {
  const store = await startEmbeddedMongo({ dataDir: dir, ...(compactBytes ? { compactBytes } : {}) });
  running.push(store);
  return store;
}

function kill(store: EmbeddedMongo): void {
  process.kill(store.pid!, "SIGKILL");
}

async function withClient<T>(
  store: EmbeddedMongo,
  fn: (client: MongoClient) => Promise<T>,
  serverSelectionTimeoutMS = 15_000,
): Promise<T> {
  const client = await new MongoClient(store.uri, { serverSelectionTimeoutMS }).connect();
  try {
    return await fn(client);
  } finally {
    await client.close().catch(() => {});
  }
}

afterEach(async () => {
  for (const store of running.splice(0)) await store.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a store with a data directory", () => {
  it("keeps documents, collections, options and indexes through a kill -9", async () => {
    const dir = dataDir();
    const first = await start(dir);
    await withClient(first, async (client) => {
      const db = client.db("shop");
      await db.createCollection("carts", { validator: {} });
      await db.collection("carts").createIndex({ code: 1 }, { unique: true, name: "code_1" });
      await db.collection("carts").insertMany([{ code: "a", n: 1 }, { code: "b", n: 2 }, { code: "c" }]);
      await db.collection("carts").updateOne({ code: "a" }, { $inc: { n: 10 } });
      await db.collection("carts").deleteOne({ code: "c" });
      await db.collection("scratch").insertOne({ x: 1 });
      await db.collection("scratch").drop();
    });
    kill(first);

    const second = await start(dir);
    await withClient(second, async (client) => {
      const db = client.db("shop");
      const docs = await db
        .collection("carts")
        .find({}, { projection: { _id: 0 } })
        .sort({ code: 1 })
        .toArray();
      expect(docs).toEqual([
        { code: "a", n: 11 },
        { code: "b", n: 2 },
      ]);
      const collections = (await db.listCollections().toArray()).map((c) => c.name);
      expect(collections).toEqual(["carts"]);
      const indexes = await db.collection("carts").listIndexes().toArray();
      expect(indexes.map((i) => i.name).sort()).toEqual(["_id_", "code_1"]);
      // The unique index is still enforced, not only listed.
      await expect(db.collection("carts").insertOne({ code: "b" })).rejects.toMatchObject({ code: 11000 });
    });
  }, 120_000);

  it("recovers a committed transaction whole and an unfinished one not at all", async () => {
    const dir = dataDir();
    const first = await start(dir);
    await withClient(
      first,
      async (client) => {
        const orders = client.db("shop").collection("orders");
        await orders.insertOne({ _id: "seed" } as never);
        const committed = client.startSession();
        await committed.withTransaction(async () => {
          await orders.insertOne({ _id: "t1-a" } as never, { session: committed });
          await orders.insertOne({ _id: "t1-b" } as never, { session: committed });
        });
        await committed.endSession();
        const open = client.startSession();
        open.startTransaction();
        await orders.insertOne({ _id: "t2-a" } as never, { session: open });
        await orders.deleteOne({ _id: "seed" } as never, { session: open });
        kill(first);
        // The client's goodbye to a killed server gives up quickly.
      },
      1000,
    );

    const second = await start(dir);
    await withClient(second, async (client) => {
      const ids = (await client.db("shop").collection("orders").find().toArray()).map((d) => d._id).sort();
      expect(ids).toEqual(["seed", "t1-a", "t1-b"]);
    });
  }, 120_000);

  it("honours a TTL index after a restart", async () => {
    const dir = dataDir();
    const first = await start(dir);
    await withClient(first, async (client) => {
      const sessions = client.db("shop").collection("sessions");
      await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      await sessions.insertMany([
        { _id: "old", expiresAt: new Date(Date.now() - 60_000) },
        { _id: "live", expiresAt: new Date(Date.now() + 3_600_000) },
      ] as never[]);
    });
    kill(first);

    const second = await start(dir);
    await withClient(second, async (client) => {
      const sessions = client.db("shop").collection("sessions");
      // The sweep runs every few seconds: wait for it, bounded by the work rather than a guess.
      for (let i = 0; i < 100 && (await sessions.countDocuments({ _id: "old" } as never)) > 0; i++)
        await new Promise((r) => setTimeout(r, 200));
      expect((await sessions.find().toArray()).map((d) => d._id)).toEqual(["live"]);
      const ttl = (await sessions.listIndexes().toArray()).find((i) => i.name === "expiresAt_1");
      expect(ttl?.expireAfterSeconds).toBe(0);
    });
  }, 120_000);

  it("compacts its journal into a snapshot and starts from it with everything there", async () => {
    const dir = dataDir();
    const first = await start(dir, 64 * 1024);
    await withClient(first, async (client) => {
      const items = client.db("shop").collection("items");
      await items.createIndex({ sku: 1 }, { unique: true });
      for (let round = 0; round < 20; round++)
        await items.insertMany(
          Array.from({ length: 100 }, (_, i) => ({ sku: `s${round}-${i}`, pad: "x".repeat(100) })),
        );
      await items.updateMany({}, { $set: { seen: true } });
    });
    kill(first);
    const files = readdirSync(dir);
    expect(files.some((f) => f.startsWith("snapshot-"))).toBe(true);
    // Journals older than the newest snapshot are removed.
    expect(files.filter((f) => f.startsWith("journal-")).length).toBeLessThanOrEqual(2);

    const second = await start(dir, 64 * 1024);
    await withClient(second, async (client) => {
      const items = client.db("shop").collection("items");
      expect(await items.countDocuments({ seen: true })).toBe(2000);
      await expect(items.insertOne({ sku: "s3-7" })).rejects.toMatchObject({ code: 11000 });
    });
  }, 120_000);

  it("keeps collection options changed after creation (collMod's way in)", async () => {
    const dir = dataDir();
    const silent = { info() {}, warn() {}, error() {} };
    const durable = await openDataDir(dir, silent);
    durable.store.create("shop", "carts", { capped: false });
    durable.store.collection("shop", "carts")!.setOptions({ validator: { qty: { $gte: 1 } } });
    durable.journal.append(durable.store.changes.take()!);
    await durable.close();
    expect(recoverStore(dir, false).store.collection("shop", "carts")?.options).toEqual({
      validator: { qty: { $gte: 1 } },
    });
  });

  it("keeps what collMod changed, a validator and a TTL, through a kill -9", async () => {
    const dir = dataDir();
    const first = await start(dir);
    await withClient(first, async (client) => {
      const db = client.db("shop");
      await db.createCollection("carts");
      await db.collection("carts").createIndex({ touchedAt: 1 }, { expireAfterSeconds: 3600, name: "ttl" });
      await db.command({
        collMod: "carts",
        validator: { qty: { $gte: 1 } },
        index: { name: "ttl", expireAfterSeconds: 60 },
      });
    });
    kill(first);
    const second = await start(dir);
    await withClient(second, async (client) => {
      const carts = client.db("shop").collection("carts");
      await expect(carts.insertOne({ qty: 0 })).rejects.toMatchObject({ code: 121 });
      const ttl = (await carts.indexes()).find((index) => index.name === "ttl");
      expect(ttl?.expireAfterSeconds).toBe(60);
    });
  }, 120_000);

  it("refuses a second store on the same directory with one clear line", async () => {
    const dir = dataDir();
    await start(dir);
    const error = await startEmbeddedMongo({ dataDir: dir }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      /^the data directory .* is in use by another embedded store \(process \d+\)/,
    );
    expect(error?.message.split("\n")).toHaveLength(1);
  }, 120_000);
});
