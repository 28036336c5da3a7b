import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type Db, MongoBulkWriteError } from "mongodb";
import { freshDb, serverError } from "./client";

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await freshDb("uniq"));
});
afterAll(async () => close());

describe("unique indexes", () => {
  it("reports a duplicate insert in writeErrors with code 11000, keyPattern and keyValue", async () => {
    const c = db.collection("users");
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: "a@x" });
    const reply = await db.command({
      insert: "users",
      documents: [{ email: "b@x" }, { email: "a@x" }, { email: "c@x" }],
    });
    expect(reply.n).toBe(1);
    expect(reply.writeErrors).toHaveLength(1);
    expect(reply.writeErrors[0]).toMatchObject({
      index: 1,
      code: 11000,
      keyPattern: { email: 1 },
      keyValue: { email: "a@x" },
    });
    expect(reply.writeErrors[0].errmsg).toMatch(
      /^E11000 duplicate key error collection: .*users index: email_1 dup key/,
    );
  });

  it("keeps going after a duplicate in an unordered insert", async () => {
    const c = db.collection("users");
    const error = await c
      .insertMany([{ email: "d@x" }, { email: "a@x" }, { email: "e@x" }], { ordered: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect((error as MongoBulkWriteError).insertedCount).toBe(2);
    expect(await c.countDocuments({ email: { $in: ["d@x", "e@x"] } })).toBe(2);
  });

  it("reports a duplicate caused by an update in writeErrors", async () => {
    const reply = await db.command({
      update: "users",
      updates: [{ q: { email: "b@x" }, u: { $set: { email: "a@x" } } }],
    });
    expect(reply.nModified).toBe(0);
    expect(reply.writeErrors[0]).toMatchObject({ index: 0, code: 11000, keyValue: { email: "a@x" } });
  });

  it("leaves a multi-document update unapplied when one of its documents would duplicate a key", async () => {
    const c = db.collection("slots");
    await c.createIndex({ slot: 1 }, { unique: true });
    await c.insertMany([{ slot: 1 }, { slot: 2 }, { slot: 3 }]);
    const reply = await db.command({
      update: "slots",
      updates: [{ q: { slot: { $gte: 1 } }, u: { $inc: { slot: 1 } }, multi: true }],
    });
    expect(reply.writeErrors[0]).toMatchObject({ code: 11000 });
    // The embedded store applies a statement whole or not at all; MongoDB keeps what it updated before the error.
    expect(reply.nModified).toBe(0);
    expect((await c.find({}, { sort: { slot: 1 } }).toArray()).map((d) => d.slot)).toEqual([1, 2, 3]);
  });

  it("reports a duplicate from findAndModify as a top-level error", async () => {
    const error = await serverError(
      db.collection("users").findOneAndUpdate({ email: "b@x" }, { $set: { email: "a@x" } }),
    );
    expect(error.code).toBe(11000);
    expect(error.keyPattern).toEqual({ email: 1 });
    expect(error.keyValue).toEqual({ email: "a@x" });
  });

  it("enforces compound unique indexes on the combination only", async () => {
    const c = db.collection("members");
    await c.createIndex({ group: 1, user: 1 }, { unique: true });
    await c.insertMany([
      { group: "g1", user: "u1" },
      { group: "g1", user: "u2" },
      { group: "g2", user: "u1" },
    ]);
    const error = await serverError(c.insertOne({ group: "g1", user: "u2" }));
    expect(error.code).toBe(11000);
    expect(error.keyPattern).toEqual({ group: 1, user: 1 });
    expect(error.keyValue).toEqual({ group: "g1", user: "u2" });
  });

  it("lets a sparse unique index hold many documents without the field", async () => {
    const c = db.collection("sparse");
    await c.createIndex({ code: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ n: 1 }, { n: 2 }, { code: "X" }]);
    expect((await serverError(c.insertOne({ code: "X" }))).code).toBe(11000);
  });

  it("treats a missing field as null in a non-sparse unique index", async () => {
    const c = db.collection("dense");
    await c.createIndex({ code: 1 }, { unique: true });
    await c.insertOne({ n: 1 });
    const error = await serverError(c.insertOne({ n: 2 }));
    expect(error.code).toBe(11000);
    expect(error.keyValue).toEqual({ code: null });
  });

  it("applies a partial unique index only to documents matching its filter", async () => {
    const c = db.collection("partial");
    await c.createIndex({ owner: 1 }, { unique: true, partialFilterExpression: { open: true } });
    await c.insertMany([
      { owner: "o1", open: false },
      { owner: "o1", open: false },
      { owner: "o1", open: true },
    ]);
    expect((await serverError(c.insertOne({ owner: "o1", open: true }))).code).toBe(11000);
    await c.updateOne({ owner: "o1", open: true }, { $set: { open: false } });
    await c.insertOne({ owner: "o1", open: true });
    expect(await c.countDocuments({ owner: "o1" })).toBe(4);
  });

  it("refuses to build a unique index over existing duplicates", async () => {
    const c = db.collection("dupes");
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    expect((await serverError(c.createIndex({ k: 1 }, { unique: true }))).code).toBe(11000);
    expect((await c.indexes()).map((i) => i.name)).toEqual(["_id_"]);
  });

  it("reports a duplicate _id", async () => {
    const c = db.collection("ids");
    await c.insertOne({ _id: "same" as never });
    const error = await serverError(c.insertOne({ _id: "same" as never }));
    expect(error.code).toBe(11000);
    expect(error.keyValue).toEqual({ _id: "same" });
  });
});

describe("index commands", () => {
  it("creates, lists and drops indexes", async () => {
    const c = db.collection("idx");
    await c.createIndex({ a: 1 });
    await c.createIndex({ b: -1, c: 1 }, { name: "bc", sparse: true });
    await c.createIndex({ a: 1 }); // same again: a no-op
    const listed = await c.listIndexes().toArray();
    expect(listed.map((i) => [i.name, i.key])).toEqual([
      ["_id_", { _id: 1 }],
      ["a_1", { a: 1 }],
      ["bc", { b: -1, c: 1 }],
    ]);
    expect(listed[2]?.sparse).toBe(true);
    await c.dropIndex("a_1");
    expect((await c.indexes()).map((i) => i.name)).toEqual(["_id_", "bc"]);
    expect((await serverError(c.dropIndex("nope"))).code).toBe(27);
    await c.dropIndexes();
    expect((await c.indexes()).map((i) => i.name)).toEqual(["_id_"]);
  });

  it("refuses an index whose name is taken by a different key", async () => {
    const c = db.collection("idx2");
    await c.createIndex({ a: 1 }, { name: "x" });
    expect((await serverError(c.createIndex({ b: 1 }, { name: "x" }))).code).toBe(86);
  });

  it("answers listIndexes on a missing collection with NamespaceNotFound", async () => {
    expect((await serverError(db.command({ listIndexes: "no-such-collection" }))).code).toBe(26);
  });
});
