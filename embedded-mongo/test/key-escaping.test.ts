import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Db } from "mongodb";
import { freshDb } from "./client";

/** Values that only look alike once written out stay distinct: in unique indexes and in $addToSet. */

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await freshDb("keys"));
});
afterAll(async () => close());

describe("distinct values stay distinct", () => {
  it("a unique compound index does not mistake separators inside strings for a duplicate", async () => {
    const c = db.collection<{ a: string; b: string }>("compound");
    await c.createIndex({ a: 1, b: 1 }, { unique: true });
    await c.insertOne({ a: "p|sq", b: "r" });
    await c.insertOne({ a: "p", b: "q|sr" });
    await c.insertOne({ a: "p", b: "q|s1:r" });
    expect(await c.countDocuments()).toBe(3);
  });

  it("a unique index over arrays compares whole nested arrays, not their joined text", async () => {
    const c = db.collection<{ tags: unknown[] }>("arrays");
    await c.createIndex({ tags: 1 }, { unique: true });
    await c.insertOne({ tags: [["a", "b"]] });
    await c.insertOne({ tags: [["a,s1:b"]] });
    await c.insertOne({ tags: [["a,sb"]] });
    expect(await c.countDocuments()).toBe(3);
    await expect(c.insertOne({ tags: [["a", "b"]] })).rejects.toMatchObject({ code: 11000 });
  });

  it("$addToSet adds an array that only prints like one already there", async () => {
    const c = db.collection<{ _id: number; set: unknown[] }>("sets");
    await c.insertOne({ _id: 1, set: [["a", "b"]] });
    await c.updateOne({ _id: 1 }, { $addToSet: { set: ["a,s1:b"] } });
    await c.updateOne({ _id: 1 }, { $addToSet: { set: ["a", "b"] } });
    expect((await c.findOne({ _id: 1 }))?.set).toEqual([["a", "b"], ["a,s1:b"]]);
  });
});
