import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Double, Int32, Long, MongoClient, ObjectId } from "mongodb";
import { startEmbeddedMongo } from "../../embedded-mongo";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "data-scripts-"));
const source = join(work, "source");
const exported = join(work, "export");

/** `npm run data:<name> -- <args>` with the given database settings, as the service would read them. */
async function script(name: "export" | "import", args: string[], env: Record<string, string>) {
  return run(process.execPath, ["--require", "tsx/cjs", `src/scripts/data-${name}.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "development", MONGODB_URI: "", DATA_DIR: "", ...env },
  });
}

/** The script's exit code and stderr when it fails (fails the test when it succeeds). */
async function failure(promise: Promise<unknown>): Promise<{ code: number; stderr: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; stderr: string };
  }
  throw new Error("expected the script to fail");
}

const orderId = new ObjectId();
const createdAt = new Date("2026-05-01T10:00:00.000Z");

/** Reads every document of `collection` from the embedded store in `dataDir`, numbers as stored. */
async function documentsIn(dataDir: string, collection: string) {
  const store = await startEmbeddedMongo({ dataDir, inProcess: true });
  const client = await new MongoClient(store.uri).connect();
  try {
    return await client
      .db()
      .collection(collection)
      .find({}, { promoteValues: false, promoteLongs: false })
      .sort({ _id: 1 })
      .toArray();
  } finally {
    await client.close();
    await store.stop();
  }
}

/** What `npm run data:export` printed for the export every test reads. */
let exportOutput = "";

beforeAll(async () => {
  // The service's data as `npm start` leaves it: the embedded store's default database in DATA_DIR.
  const store = await startEmbeddedMongo({ dataDir: source, inProcess: true });
  const client = await new MongoClient(store.uri).connect();
  const db = client.db();
  await db.collection("orders").insertMany([
    { _id: orderId, qty: new Int32(2), total: Long.fromString("9007199254740993"), createdAt },
    { _id: new ObjectId(), qty: new Int32(1), share: new Double(3), note: 'says "hi", =1+1' },
  ]);
  await db.collection("points").insertOne({ _id: "playground:ann" as never, balance: new Int32(1290) });
  await client.close();
  await store.stop();
  // Every import below reads this export, so it is made once here rather than by the export test.
  exportOutput = (await script("export", [exported], { DATA_DIR: source })).stdout;
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm run data:export and data:import", () => {
  it("exports each collection as one canonical Extended JSON document per line, types kept", async () => {
    expect(exportOutput).toContain("orders: 2 documents");
    expect(readdirSync(exported).sort()).toEqual(["orders.json", "points.json"]);
    const lines = readFileSync(join(exported, "orders.json"), "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines.find((l) => l.includes(orderId.toHexString())) ?? "{}");
    // The forms mongoimport reads back into the same BSON types.
    expect(first).toEqual({
      _id: { $oid: orderId.toHexString() },
      qty: { $numberInt: "2" },
      total: { $numberLong: "9007199254740993" },
      createdAt: { $date: { $numberLong: String(createdAt.getTime()) } },
    });
    expect(lines.join("\n")).toContain('"share":{"$numberDouble":"3.0"}');
  }, 60_000);

  it("imports into the configured embedded store with every type, and a second import changes nothing", async () => {
    const target = join(work, "target");
    for (let round = 0; round < 2; round++) {
      const { stdout } = await script("import", [exported], { DATA_DIR: target });
      expect(stdout).toContain("orders: 2 documents");
    }
    const orders = await documentsIn(target, "orders");
    expect(orders).toEqual(await documentsIn(source, "orders"));
    const mine = orders.find((o) => String(o._id) === orderId.toHexString());
    expect(mine?.total).toBeInstanceOf(Long);
    expect(mine?.qty).toBeInstanceOf(Int32);
    expect(orders.find((o) => o.share)?.share).toBeInstanceOf(Double);
    expect(await documentsIn(target, "points")).toEqual([
      { _id: "playground:ann", balance: new Int32(1290) },
    ]);
  }, 60_000);

  it("imports into the database MONGODB_URI names", async () => {
    const server = await startEmbeddedMongo({ inProcess: true });
    const uri = new URL(server.uri);
    uri.pathname = "/crowdcart";
    const client = await new MongoClient(uri.toString()).connect();
    try {
      await script("import", [exported], { MONGODB_URI: uri.toString() });
      expect(await client.db("crowdcart").collection("orders").countDocuments()).toBe(2);
      expect(await client.db("crowdcart").collection("points").findOne()).toEqual({
        _id: "playground:ann",
        balance: 1290,
      });
    } finally {
      await client.close();
      await server.stop();
    }
  }, 60_000);

  it("says in one line what to type when the directory is missing or holds no exports", async () => {
    const missing = await failure(script("export", [], { DATA_DIR: source }));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      "usage: npm run data:export -- <dir>  (the directory the .json files are written to)",
    );
    const empty = mkdtempSync(join(work, "empty-"));
    const nothing = await failure(script("import", [empty], { DATA_DIR: join(work, "unused") }));
    expect(nothing.code).toBe(2);
    expect(nothing.stderr.trim()).toBe(
      `no <collection>.json files in ${empty}: export them with npm run data:export -- ${empty}`,
    );
  }, 60_000);

  it("stops with the lock's one line while the service holds DATA_DIR", async () => {
    const running = await startEmbeddedMongo({ dataDir: source });
    try {
      const busy = await failure(script("export", [join(work, "again")], { DATA_DIR: source }));
      expect(busy.stderr.trim().split("\n")).toHaveLength(1);
      expect(busy.stderr).toContain(`is in use by another embedded store (process ${running.pid})`);
    } finally {
      await running.stop();
    }
  }, 60_000);
});
