import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type Db, Decimal128, Long } from "mongodb";
import { freshDb } from "./client";

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await freshDb("crud"));
});
afterAll(async () => close());

describe("find", () => {
  it("stores the _id as the first field, whatever the order it was sent in", async () => {
    const c = db.collection("id-first");
    await c.insertOne({ name: "sent last", _id: 1 as never });
    await c.insertMany([{ name: "given an id by the driver" }]);
    await c.updateOne({ name: "upserted" }, { $set: { n: 1 } }, { upsert: true });
    for (const doc of await c.find().toArray()) expect(Object.keys(doc)[0]).toBe("_id");
    expect(await c.countDocuments()).toBe(3);
  });

  it("filters, sorts, projects, skips and limits", async () => {
    const c = db.collection("people");
    await c.insertMany([
      { _id: 1 as never, name: "ann", age: 31, city: "Oslo" },
      { _id: 2 as never, name: "bob", age: 25, city: "Rome" },
      { _id: 3 as never, name: "cy", age: 40, city: "Oslo" },
      { _id: 4 as never, name: "di", age: 35, city: "Oslo" },
    ]);
    const docs = await c
      .find({ city: "Oslo", age: { $gte: 31 } }, { projection: { _id: 0, name: 1 } })
      .sort({ age: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(docs).toEqual([{ name: "di" }, { name: "ann" }]);
  });

  it("returns large results in batches through getMore and reports cursor id 0 when done", async () => {
    const c = db.collection("many");
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const raw = { promoteLongs: false } as const;
    const first = await db.command({ find: "many", filter: {}, sort: { i: 1 }, batchSize: 100 }, raw);
    expect(first.cursor.firstBatch).toHaveLength(100);
    expect(first.cursor.id).toBeInstanceOf(Long);
    expect(first.cursor.id.isZero()).toBe(false);
    expect(first.cursor.ns).toBe(`${db.databaseName}.many`);
    const second = await db.command({ getMore: first.cursor.id, collection: "many", batchSize: 100 }, raw);
    expect(second.cursor.nextBatch.map((d: { i: number }) => d.i)[0]).toBe(100);
    const third = await db.command({ getMore: first.cursor.id, collection: "many", batchSize: 100 }, raw);
    expect(third.cursor.nextBatch).toHaveLength(50);
    expect(Long.fromValue(third.cursor.id).isZero()).toBe(true);
    const all = await c.find({}, { batchSize: 7 }).toArray();
    expect(all).toHaveLength(250);
  });

  it("kills open cursors and then refuses getMore on them", async () => {
    const first = await db.command({ find: "many", filter: {}, batchSize: 10 }, { promoteLongs: false });
    const id = first.cursor.id as Long;
    const killed = await db.command({ killCursors: "many", cursors: [id] });
    expect(killed.cursorsKilled.map(String)).toEqual([id.toString()]);
    await expect(db.command({ getMore: id, collection: "many" })).rejects.toMatchObject({ code: 43 });
  });

  it("compares int, double, Long and Decimal128 by value in filters and sorts", async () => {
    const c = db.collection("numbers");
    await c.insertMany([
      { k: "int", v: 5 },
      { k: "double", v: 5.5 },
      { k: "long", v: Long.fromString("9007199254740993") },
      { k: "decimal", v: Decimal128.fromString("5.25") },
      { k: "decimal-big", v: Decimal128.fromString("100") },
    ]);
    const above = await c.find({ v: { $gt: Decimal128.fromString("5.3") } }, { sort: { v: 1 } }).toArray();
    expect(above.map((d) => d.k)).toEqual(["double", "decimal-big", "long"]);
    const equal = await c.find({ v: Long.fromNumber(100) }).toArray();
    expect(equal.map((d) => d.k)).toEqual(["decimal-big"]);
    const sorted = await c.find({}).sort({ v: -1 }).toArray();
    expect(sorted.map((d) => d.k)).toEqual(["long", "decimal-big", "double", "decimal", "int"]);
    const between = await c.countDocuments({ v: { $gte: 5, $lt: Decimal128.fromString("5.5") } });
    expect(between).toBe(2);
  });
});

describe("update", () => {
  it("updates one or many and reports matched and modified counts", async () => {
    const c = db.collection("counters");
    await c.insertMany([
      { g: "a", n: 1 },
      { g: "a", n: 2 },
      { g: "b", n: 3 },
    ]);
    const one = await c.updateOne({ g: "a" }, { $inc: { n: 10 } });
    expect([one.matchedCount, one.modifiedCount]).toEqual([1, 1]);
    const many = await c.updateMany({ g: "a" }, { $set: { seen: true } });
    expect([many.matchedCount, many.modifiedCount]).toEqual([2, 2]);
    const again = await c.updateMany({ g: "a" }, { $set: { seen: true } });
    expect([again.matchedCount, again.modifiedCount]).toEqual([2, 0]);
  });

  it("upserts from the filter's equality fields plus $setOnInsert", async () => {
    const c = db.collection("upserts");
    const r = await c.updateOne(
      { tenant: "t1", "profile.user": "u1", score: { $gt: 3 } },
      { $set: { active: true }, $setOnInsert: { createdBy: "seed" } },
      { upsert: true },
    );
    expect(r.upsertedCount).toBe(1);
    const doc = await c.findOne({ _id: r.upsertedId! });
    expect(doc).toMatchObject({ tenant: "t1", profile: { user: "u1" }, active: true, createdBy: "seed" });
    expect(doc).not.toHaveProperty("score");
    await c.updateOne(
      { tenant: "t1" },
      { $set: { active: false }, $setOnInsert: { createdBy: "other" } },
      { upsert: true },
    );
    expect(await c.findOne({ tenant: "t1" })).toMatchObject({ active: false, createdBy: "seed" });
  });

  it("updates the matched array element through the positional $ operator", async () => {
    const c = db.collection("carts");
    await c.insertOne({
      _id: "c1" as never,
      items: [
        { sku: "A", qty: 1 },
        { sku: "B", qty: 1 },
      ],
    });
    await c.updateOne({ _id: "c1" as never, "items.sku": "B" }, { $inc: { "items.$.qty": 2 } });
    expect((await c.findOne({ _id: "c1" as never }))?.items).toEqual([
      { sku: "A", qty: 1 },
      { sku: "B", qty: 3 },
    ]);
  });

  it("updates only the array elements that arrayFilters select", async () => {
    const c = db.collection("grades");
    await c.insertOne({ _id: "g1" as never, grades: [{ v: 80 }, { v: 95 }, { v: 99 }] });
    await c.updateOne(
      { _id: "g1" as never },
      { $set: { "grades.$[high].top": true } },
      { arrayFilters: [{ "high.v": { $gte: 95 } }] },
    );
    expect((await c.findOne({ _id: "g1" as never }))?.grades).toEqual([
      { v: 80 },
      { v: 95, top: true },
      { v: 99, top: true },
    ]);
  });

  it("replaces a whole document but keeps its _id, and refuses to change _id", async () => {
    const c = db.collection("replace");
    await c.insertOne({ _id: "r1" as never, a: 1, b: 2 });
    await c.replaceOne({ _id: "r1" as never }, { a: 9 });
    expect(await c.findOne({ _id: "r1" as never })).toEqual({ _id: "r1", a: 9 });
    await expect(c.updateOne({ _id: "r1" as never }, { $set: { _id: "other" } })).rejects.toMatchObject({
      code: 66,
    });
  });
});

describe("update operators", () => {
  it("applies $set, $unset, $inc, $mul, $min, $max and $currentDate on nested paths", async () => {
    const c = db.collection("ops");
    await c.insertOne({ _id: "o" as never, a: { n: 2, m: 10 }, gone: 1, lo: 5, hi: 5 });
    await c.updateOne(
      { _id: "o" as never },
      {
        $set: { "a.label": "x", "b.c.d": 1 },
        $unset: { gone: "" },
        $inc: { "a.n": 3, fresh: 2 },
        $mul: { "a.m": 1.5 },
        $min: { lo: 3 },
        $max: { hi: 4 },
        $currentDate: { touched: true },
      },
    );
    const doc = await c.findOne({ _id: "o" as never });
    expect(doc).toMatchObject({ a: { n: 5, m: 15, label: "x" }, b: { c: { d: 1 } }, fresh: 2, lo: 3, hi: 5 });
    expect(doc).not.toHaveProperty("gone");
    expect(doc?.touched).toBeInstanceOf(Date);
  });

  it("applies $push (with $each), $addToSet and $pull to arrays", async () => {
    const c = db.collection<{ _id: string; tags: string[]; log?: string[]; scores?: number[] }>("arrays");
    await c.insertOne({ _id: "x", tags: ["a"] });
    await c.updateOne({ _id: "x" }, { $push: { tags: { $each: ["b", "c"] }, log: "first" } });
    await c.updateOne({ _id: "x" }, { $addToSet: { tags: "a" } });
    await c.updateOne({ _id: "x" }, { $addToSet: { tags: { $each: ["c", "d"] } } });
    await c.updateOne({ _id: "x" }, { $pull: { tags: "b" } });
    await c.updateOne({ _id: "x" }, { $push: { scores: { $each: [5, 1, 3], $sort: 1 } } });
    expect(await c.findOne({ _id: "x" })).toEqual({
      _id: "x",
      tags: ["a", "c", "d"],
      log: ["first"],
      scores: [1, 3, 5],
    });
    const pulled = await c.updateOne({ _id: "x" }, { $pull: { scores: { $gte: 3 } } });
    expect(pulled.modifiedCount).toBe(1);
    expect((await c.findOne({ _id: "x" }))?.scores).toEqual([1]);
  });

  it("counts an update that changes nothing as matched but not modified", async () => {
    const c = db.collection("nochange");
    await c.insertOne({ _id: 1 as never, v: "same" });
    const r = await c.updateOne({ _id: 1 as never }, { $set: { v: "same" } });
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 0]);
  });

  it("refuses $inc on a non-numeric field", async () => {
    const c = db.collection("badinc");
    await c.insertOne({ _id: 1 as never, v: "text" });
    await expect(c.updateOne({ _id: 1 as never }, { $inc: { v: 1 } })).rejects.toMatchObject({ code: 14 });
  });
});

describe("delete, count and distinct", () => {
  it("deletes one or all matches", async () => {
    const c = db.collection("trash");
    await c.insertMany([{ t: 1 }, { t: 1 }, { t: 1 }, { t: 2 }]);
    expect((await c.deleteOne({ t: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({ t: 1 })).deletedCount).toBe(2);
    expect(await c.countDocuments()).toBe(1);
  });

  it("counts with query, skip and limit through the count command", async () => {
    const c = db.collection("countme");
    await c.insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
    expect((await db.command({ count: "countme", query: { i: { $gte: 3 } } })).n).toBe(7);
    expect((await db.command({ count: "countme", query: {}, skip: 2, limit: 5 })).n).toBe(5);
    expect(await c.estimatedDocumentCount()).toBe(10);
    expect((await db.command({ count: "missing-collection" })).n).toBe(0);
  });

  it("lists distinct values, expanding arrays", async () => {
    const c = db.collection("tags");
    await c.insertMany([
      { tags: ["a", "b"], k: 1 },
      { tags: ["b", "c"], k: 1 },
      { tags: "d", k: 2 },
    ]);
    expect((await c.distinct("tags", { k: 1 })).sort()).toEqual(["a", "b", "c"]);
  });
});
