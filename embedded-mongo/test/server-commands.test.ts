import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Db } from "mongodb";
import { freshDb, serverError } from "./client";

/** Commands drivers, ODMs and operators call besides CRUD: serverStatus, explain, collMod, validators. */

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await freshDb("cmds"));
});
afterAll(async () => close());

describe("serverStatus", () => {
  it("reports version, uptime, connections and opcounters that move with the work done", async () => {
    const before = await db.admin().serverStatus();
    expect(typeof before.version).toBe("string");
    expect(before.version).toMatch(/^\d+\.\d+/);
    expect(before.uptime).toBeGreaterThanOrEqual(0);
    expect(before.localTime).toBeInstanceOf(Date);
    expect(before.connections.current).toBeGreaterThanOrEqual(1);
    expect(before.connections.totalCreated).toBeGreaterThanOrEqual(before.connections.current);
    const c = db.collection("counted");
    await c.insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    await c.find({}).toArray();
    await c.updateOne({ a: 1 }, { $set: { b: 1 } });
    await c.deleteOne({ a: 2 });
    const after = await db.admin().serverStatus();
    // Other clients may share the server: counters only grow, at least by this test's own work.
    expect(after.opcounters.insert - before.opcounters.insert).toBeGreaterThanOrEqual(3);
    expect(after.opcounters.query - before.opcounters.query).toBeGreaterThanOrEqual(1);
    expect(after.opcounters.update - before.opcounters.update).toBeGreaterThanOrEqual(1);
    expect(after.opcounters.delete - before.opcounters.delete).toBeGreaterThanOrEqual(1);
  });
});

describe("explain", () => {
  it("answers with a queryPlanner naming a collection scan, or the index a query can use", async () => {
    const c = db.collection("explained");
    await c.insertMany([
      { email: "a@x", n: 1 },
      { email: "b@x", n: 2 },
    ]);
    await c.createIndex({ email: 1 }, { name: "email_1" });
    const scan = await c.find({ n: 2 }).explain("queryPlanner");
    expect(scan.queryPlanner.namespace).toBe(`${db.databaseName}.explained`);
    expect(JSON.stringify(scan.queryPlanner.winningPlan)).toContain("COLLSCAN");
    const indexed = await c.find({ email: "b@x" }).explain("executionStats");
    expect(JSON.stringify(indexed.queryPlanner.winningPlan)).toContain('"indexName":"email_1"');
    expect(indexed.executionStats.nReturned).toBe(1);
    const aggregated = await c.aggregate([{ $match: { email: "a@x" } }]).explain("queryPlanner");
    expect(JSON.stringify(aggregated)).toContain("email_1");
  });
});

describe("validators", () => {
  const schema = {
    $jsonSchema: {
      bsonType: "object",
      required: ["name", "qty"],
      properties: {
        name: { bsonType: "string", minLength: 1 },
        qty: { bsonType: ["int", "long"], minimum: 0 },
        tags: { bsonType: "array", items: { bsonType: "string" } },
      },
    },
  };

  it("a $jsonSchema validator given at create refuses failing inserts and updates (DocumentValidationFailure)", async () => {
    await db.createCollection("validated", { validator: schema });
    const c = db.collection("validated");
    await c.insertOne({ _id: 1 as never, name: "kb", qty: 2, tags: ["a"] });
    const missing = await serverError(c.insertOne({ name: "no qty" }));
    expect(missing.code).toBe(121);
    expect(missing.message).toBe("Document failed validation");
    const badItem = await serverError(c.insertOne({ name: "x", qty: 1, tags: [3] }));
    expect(badItem.code).toBe(121);
    const update = await serverError(c.updateOne({ _id: 1 as never }, { $set: { qty: -1 } }));
    expect(update.code).toBe(121);
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, name: "kb", qty: 2, tags: ["a"] });
    await c.insertOne({ name: "bypass" }, { bypassDocumentValidation: true });
    expect(await c.countDocuments()).toBe(2);
  });

  it("collMod sets a validator on an existing collection; 'moderate' lets failing documents keep failing", async () => {
    const c = db.collection("later");
    await c.insertMany([
      { _id: 1 as never, name: "old" },
      { _id: 2 as never, name: "ok", qty: 1 },
    ]);
    await db.command({ collMod: "later", validator: schema, validationLevel: "moderate" });
    await c.updateOne({ _id: 1 as never }, { $set: { note: "still invalid" } });
    const error = await serverError(c.updateOne({ _id: 2 as never }, { $unset: { qty: "" } }));
    expect(error.code).toBe(121);
    const info = await db.listCollections({ name: "later" }).toArray();
    expect((info[0] as { options: { validationLevel?: string } }).options.validationLevel).toBe("moderate");
  });

  it("refuses an unsupported schema keyword where the schema is given", async () => {
    const error = await serverError(
      db.createCollection("badschema", { validator: { $jsonSchema: { format: "email" } } }),
    );
    expect(error.code).toBe(9);
    expect(error.message).toBe("$jsonSchema keyword 'format' is not currently supported");
  });
});

describe("collMod", () => {
  it("changes a TTL index's expireAfterSeconds and reports old and new", async () => {
    const c = db.collection("ttl");
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 3600, name: "at_1" });
    const reply = await db.command({
      collMod: "ttl",
      index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 },
    });
    expect(reply).toMatchObject({ expireAfterSeconds_old: 3600, expireAfterSeconds_new: 60, ok: 1 });
    const indexes = await c.listIndexes().toArray();
    expect(indexes.find((i) => i.name === "at_1")?.expireAfterSeconds).toBe(60);
  });

  it("refuses an unknown option and a missing collection", async () => {
    await db.createCollection("plain");
    const unknown = await serverError(db.command({ collMod: "plain", bogus: 1 }));
    expect(unknown.code).toBe(40415);
    const missing = await serverError(db.command({ collMod: "nothing-here", validator: {} }));
    expect(missing.code).toBe(26);
  });
});
