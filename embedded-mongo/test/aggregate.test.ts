import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type Db, Decimal128 } from "mongodb";
import { freshDb } from "./client";

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await freshDb("agg"));
  await db.collection("products").insertMany([
    { _id: "KB" as never, name: "keyboard", price: Decimal128.fromString("129.00") },
    { _id: "MS" as never, name: "mouse", price: Decimal128.fromString("49.50") },
  ]);
  await db.collection("orders").insertMany([
    { user: "ann", sku: "KB", qty: 1 },
    { user: "bob", sku: "MS", qty: 2 },
    { user: "ann", sku: "MS", qty: 3 },
  ]);
});
afterAll(async () => close());

describe("aggregate", () => {
  it("groups, sorts and projects", async () => {
    const totals = await db
      .collection("orders")
      .aggregate([
        { $match: { qty: { $gte: 1 } } },
        { $group: { _id: "$user", qty: { $sum: "$qty" } } },
        { $sort: { qty: -1 } },
        { $project: { _id: 0, user: "$_id", qty: 1 } },
      ])
      .toArray();
    expect(totals).toEqual([
      { user: "ann", qty: 4 },
      { user: "bob", qty: 2 },
    ]);
  });

  it("$project keeps the fields it includes in the document's order, the id first", async () => {
    const [order] = await db
      .collection("orders")
      .aggregate([{ $match: { user: "bob" } }, { $project: { qty: 1, user: 1 } }])
      .toArray();
    expect(Object.keys(order ?? {})).toEqual(["_id", "user", "qty"]);
  });

  it("$project puts the fields it computes after the ones it keeps, in the spec's order", async () => {
    // MongoDB sets computed fields after the included ones, even one named like a stored field.
    const [order] = await db
      .collection("orders")
      .aggregate([
        { $match: { user: "bob" } },
        { $project: { total: { $literal: 0 }, qty: 1, user: { $toUpper: "$user" } } },
      ])
      .toArray();
    expect(Object.keys(order ?? {})).toEqual(["_id", "qty", "total", "user"]);
    const found = await db
      .collection("orders")
      .findOne({ user: "bob" }, { projection: { user: { $toUpper: "$user" }, qty: 1 } });
    expect(Object.keys(found ?? {})).toEqual(["_id", "qty", "user"]);
  });

  it("$group's $max and $min skip documents without the field and compare Decimal128 by value", async () => {
    const [extremes] = await db
      .collection("products")
      .aggregate([
        { $unionWith: { coll: "orders" } },
        {
          $group: { _id: null, most: { $max: "$price" }, least: { $min: "$price" }, none: { $max: "$nope" } },
        },
      ])
      .toArray();
    expect(extremes).toEqual({
      _id: null,
      most: Decimal128.fromString("129.00"),
      least: Decimal128.fromString("49.50"),
      none: null,
    });
  });

  it("joins another collection with $lookup", async () => {
    const joined = await db
      .collection("orders")
      .aggregate([
        { $match: { user: "ann" } },
        { $lookup: { from: "products", localField: "sku", foreignField: "_id", as: "product" } },
        { $unwind: "$product" },
        { $sort: { "product.price": 1 } },
        { $project: { _id: 0, name: "$product.name" } },
      ])
      .toArray();
    expect(joined).toEqual([{ name: "mouse" }, { name: "keyboard" }]);
  });

  it("joins with a $lookup sub-pipeline using let variables", async () => {
    const joined = await db
      .collection("products")
      .aggregate([
        {
          $lookup: {
            from: "orders",
            let: { sku: "$_id" },
            pipeline: [
              { $match: { $expr: { $eq: ["$sku", "$$sku"] } } },
              { $group: { _id: null, qty: { $sum: "$qty" } } },
            ],
            as: "sold",
          },
        },
        { $project: { _id: 1, sold: { $first: "$sold.qty" } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(joined).toEqual([
      { _id: "KB", sold: 1 },
      { _id: "MS", sold: 5 },
    ]);
  });

  it("writes the results into a collection with $out", async () => {
    await db
      .collection("orders")
      .aggregate([{ $match: { user: "ann" } }, { $project: { sku: 1 } }, { $out: "ann_orders" }])
      .toArray();
    expect(await db.collection("ann_orders").countDocuments()).toBe(2);
  });

  it("counts matches the way countDocuments asks", async () => {
    expect(await db.collection("orders").countDocuments({ user: "ann" })).toBe(2);
    expect(await db.collection("orders").countDocuments({}, { skip: 1, limit: 1 })).toBe(1);
  });

  it("returns results past the first batch through getMore", async () => {
    await db.collection("bulk").insertMany(Array.from({ length: 300 }, (_, i) => ({ i })));
    const all = await db
      .collection("bulk")
      .aggregate([{ $sort: { i: -1 } }], { batchSize: 50 })
      .toArray();
    expect(all).toHaveLength(300);
    expect(all[0]).toMatchObject({ i: 299 });
  });

  it("answers an aggregation on a missing collection with no documents", async () => {
    expect(
      await db
        .collection("nothing-here")
        .aggregate([{ $match: {} }])
        .toArray(),
    ).toEqual([]);
  });
});
