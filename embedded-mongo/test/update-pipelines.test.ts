import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Collection, Db } from "mongodb";
import { freshDb, serverError } from "./client";

/** Updates given as an aggregation pipeline: MongoDB runs the reshaping stages with expressions. */

interface Item {
  _id: number;
  price?: number;
  qty?: number;
  total?: number;
  note?: string;
  inner?: { x: number };
}

let db: Db;
let close: () => Promise<void>;
let c: Collection<Item>;

beforeAll(async () => {
  ({ db, close } = await freshDb("pipeupd"));
  c = db.collection<Item>("items");
});
afterAll(async () => close());
beforeEach(async () => {
  await c.deleteMany({});
  await c.insertOne({ _id: 1, price: 4, qty: 3, note: "n", inner: { x: 1 } });
});

describe("pipeline updates", () => {
  it("$set / $addFields compute from the document's own fields", async () => {
    const result = await c.updateOne({ _id: 1 }, [
      { $set: { total: { $multiply: ["$price", "$qty"] } } },
      { $addFields: { qty: { $add: ["$qty", 1] } } },
    ]);
    expect(result.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 1 })).toEqual({
      _id: 1,
      price: 4,
      qty: 4,
      note: "n",
      inner: { x: 1 },
      total: 12,
    });
  });

  it("$max and $min of an expression list skip a missing field, as in an upsert's new document", async () => {
    await c.updateOne(
      { _id: 2 },
      [
        {
          $set: {
            qty: { $max: ["$qty", 5] },
            total: { $min: ["$total", 7] },
            price: { $max: ["$none", "$nada"] },
          },
        },
      ],
      { upsert: true },
    );
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, qty: 5, total: 7, price: null });
  });

  it("$unset and $project remove fields; _id stays", async () => {
    await c.updateOne({ _id: 1 }, [{ $unset: ["note", "inner"] }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, price: 4, qty: 3 });
    await c.updateOne({ _id: 1 }, [{ $project: { price: 1 } }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, price: 4 });
  });

  it("$replaceWith and $replaceRoot replace the document, keeping _id", async () => {
    await c.updateOne({ _id: 1 }, [{ $replaceWith: { $mergeObjects: ["$inner", { note: "$note" }] } }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, x: 1, note: "n" });
    await c.updateOne({ _id: 1 }, [{ $replaceRoot: { newRoot: { qty: 9 } } }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, qty: 9 });
  });

  it("reports an update that changes nothing as unmodified", async () => {
    const result = await c.updateOne({ _id: 1 }, [{ $set: { price: 4 } }]);
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  });

  it("runs on every match of updateMany, on findOneAndUpdate and on an upsert's new document", async () => {
    await c.insertOne({ _id: 2, price: 1, qty: 1 });
    await c.updateMany({}, [{ $set: { total: { $multiply: ["$price", "$qty"] } } }]);
    expect((await c.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d.total)).toEqual([12, 1]);
    const after = await c.findOneAndUpdate({ _id: 2 }, [{ $set: { qty: { $add: ["$qty", 5] } } }], {
      returnDocument: "after",
    });
    expect(after?.qty).toBe(6);
    await c.updateOne({ _id: 3 }, [{ $set: { price: 7, total: { $multiply: [7, 2] } } }], { upsert: true });
    expect(await c.findOne({ _id: 3 })).toEqual({ _id: 3, price: 7, total: 14 });
  });

  it("refuses a stage that only reads, with InvalidOptions", async () => {
    const error = await serverError(c.updateOne({ _id: 1 }, [{ $match: { _id: 1 } }]));
    expect(error.code).toBe(72);
    expect(error.message).toBe("$match is not allowed to be used within an update");
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, price: 4, qty: 3, note: "n", inner: { x: 1 } });
  });

  it("refuses a pipeline that changes _id (ImmutableField)", async () => {
    const error = await serverError(c.updateOne({ _id: 1 }, [{ $set: { _id: 5 } }]));
    expect(error.code).toBe(66);
  });
});
