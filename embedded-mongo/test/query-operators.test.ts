import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type Collection, type Db, ObjectId } from "mongodb";
import { freshDb } from "./client";

let db: Db;
let close: () => Promise<void>;
let c: Collection;
const ref = new ObjectId();

beforeAll(async () => {
  ({ db, close } = await freshDb("ops"));
  c = db.collection("things");
  await c.insertMany([
    {
      _id: 1 as never,
      name: "Alpha",
      ref,
      tags: ["x", "y"],
      items: [
        { sku: "A", qty: 2 },
        { sku: "B", qty: 5 },
      ],
      at: new Date("2026-01-01"),
    },
    {
      _id: 2 as never,
      name: "beta",
      ref: new ObjectId(),
      tags: ["y"],
      items: [{ sku: "A", qty: 9 }],
      extra: null,
    },
    { _id: 3 as never, name: "Gamma", tags: [], items: [] },
  ]);
});
afterAll(async () => close());

const ids = async (filter: object) =>
  (await c.find(filter, { sort: { _id: 1 } }).toArray()).map((d) => d._id);

describe("query operators", () => {
  it("matches ObjectIds, dates and strings by value", async () => {
    expect(await ids({ ref: new ObjectId(ref.toHexString()) })).toEqual([1]);
    expect(await ids({ ref: { $in: [ref] } })).toEqual([1]);
    expect(await ids({ at: { $gte: new Date("2025-12-31") } })).toEqual([1]);
    expect(await ids({ name: { $regex: "^a", $options: "i" } })).toEqual([1]);
  });

  it("handles $exists, null, $type and $size", async () => {
    expect(await ids({ ref: { $exists: false } })).toEqual([3]);
    expect(await ids({ extra: null })).toEqual([1, 2, 3]);
    expect(await ids({ extra: { $type: "null" } })).toEqual([2]);
    expect(await ids({ ref: { $type: "objectId" } })).toEqual([1, 2]);
    expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
  });

  it("matches inside arrays with equality, $all and $elemMatch", async () => {
    expect(await ids({ tags: "y" })).toEqual([1, 2]);
    expect(await ids({ tags: { $all: ["x", "y"] } })).toEqual([1]);
    expect(await ids({ items: { $elemMatch: { sku: "A", qty: { $gt: 5 } } } })).toEqual([2]);
    expect(await ids({ "items.qty": { $gt: 4 } })).toEqual([1, 2]);
  });

  it("combines with $or, $and, $nor, $not and $expr", async () => {
    expect(await ids({ $or: [{ name: "beta" }, { tags: { $size: 0 } }] })).toEqual([2, 3]);
    expect(await ids({ $and: [{ tags: "y" }, { name: { $ne: "beta" } }] })).toEqual([1]);
    expect(await ids({ $nor: [{ tags: "y" }] })).toEqual([3]);
    expect(await ids({ name: { $not: /^[A-Z]/ } })).toEqual([2]);
    expect(await ids({ $expr: { $gt: [{ $size: "$items" }, 1] } })).toEqual([1]);
  });
});
