import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type Collection, type Db, Double, Int32, Long } from "mongodb";
import { freshDb } from "./client";

/** Numbers keep their BSON type through the store, as MongoDB keeps them; the driver decides how to show them. */

let db: Db;
let close: () => Promise<void>;
let c: Collection<{ _id: number; [k: string]: unknown }>;
const raw = { promoteValues: false, promoteLongs: false } as const;

beforeAll(async () => {
  ({ db, close } = await freshDb("numbers"));
  c = db.collection("numbers");
  await c.insertOne({ _id: 1, long: Long.fromNumber(5), whole: new Double(3), half: 2.5, int: 7 });
});
afterAll(async () => close());

describe("number types", () => {
  it("a Long comes back as Int64 and an integral double as a double", async () => {
    const doc = await c.findOne({ _id: 1 }, raw);
    expect(doc?.long).toEqual(Long.fromNumber(5));
    expect(doc?.whole).toEqual(new Double(3));
    expect(doc?.int).toEqual(new Int32(7));
    // With the driver's default promotion the same document reads as plain numbers.
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, long: 5, whole: 3, half: 2.5, int: 7 });
  });

  it("$type tells them apart, and equality still crosses types", async () => {
    const ids = async (filter: object) => (await c.find(filter).toArray()).map((d) => d._id);
    expect(await ids({ whole: { $type: "double" } })).toEqual([1]);
    expect(await ids({ whole: { $type: "int" } })).toEqual([]);
    expect(await ids({ long: { $type: "long" } })).toEqual([1]);
    expect(await ids({ long: 5, whole: 3 })).toEqual([1]);
    expect(await ids({ $or: [{ whole: { $type: "double" } }, { _id: 9 }] })).toEqual([1]);
  });

  it("$inc and $mul give MongoDB's result types", async () => {
    await c.insertOne({
      _id: 2,
      int: 2147483647,
      long: Long.fromNumber(1),
      double: 1.5,
      whole: new Double(2),
    });
    await c.updateOne({ _id: 2 }, {
      $inc: { int: 1, long: 1, double: 0.5, whole: 1 },
      $mul: { none: Long.fromNumber(3) },
    } as never);
    const doc = await c.findOne({ _id: 2 }, raw);
    expect(doc?.int).toEqual(Long.fromNumber(2147483648));
    expect(doc?.long).toEqual(Long.fromNumber(2));
    expect(doc?.double).toEqual(new Double(2));
    expect(doc?.whole).toEqual(new Double(3));
    expect(doc?.none).toEqual(Long.fromNumber(0));
  });

  it("aggregation expressions compute over every numeric type", async () => {
    const [sum] = await c
      .aggregate([
        { $match: { _id: 1 } },
        { $project: { total: { $add: ["$long", "$whole", "$half", "$int"] } } },
      ])
      .toArray();
    expect(sum?.total).toBe(17.5);
    const [mod] = await c.find({ long: { $mod: [2, 1] }, whole: { $mod: [3, 0] } }).toArray();
    expect(mod?._id).toBe(1);
  });

  it("an aggregation passes stored values through with their types, nested ones and $out included", async () => {
    await c.insertOne({
      _id: 3,
      long: Long.fromNumber(5),
      nested: { whole: new Double(4), list: [Long.fromNumber(6)] },
    });
    const expected = {
      long: Long.fromNumber(5),
      nested: { whole: new Double(4), list: [Long.fromNumber(6)] },
    };
    for (const pipeline of [
      [{ $match: { _id: 3 } }],
      [{ $sort: { _id: -1 } }, { $limit: 1 }],
      [{ $match: { _id: 3 } }, { $project: { long: 1, nested: 1 } }],
      [{ $match: { _id: 3 } }, { $project: { long: "$long", nested: 1 } }],
      [{ $match: { _id: 3 } }, { $addFields: { doubled: { $multiply: ["$long", 2] } } }],
    ]) {
      const [doc] = await c.aggregate(pipeline, raw).toArray();
      expect(doc).toMatchObject(expected);
    }
    await c.aggregate([{ $match: { _id: 3 } }, { $out: "copied" }]).toArray();
    expect(await db.collection("copied").findOne({ _id: 3 as never }, raw)).toMatchObject(expected);
    // Documents with an ObjectId for their id too.
    const objects = db.collection("objects");
    const { insertedId } = await objects.insertOne({ ...expected });
    const [found] = await objects.aggregate([{ $sort: { long: 1 } }], raw).toArray();
    expect(found).toEqual({ _id: insertedId, ...expected });
  });

  it("a value an expression computes takes the expression's type, even when it equals the stored one", async () => {
    // MongoDB: $toInt of a Long is an int32 and $group makes new documents (its _id equal to a
    // stored document's tells nothing).
    await c.insertOne({ _id: 4, n: Long.fromNumber(8) });
    const [projected] = await c
      .aggregate([{ $match: { _id: 4 } }, { $project: { n: { $toInt: "$n" } } }], raw)
      .toArray();
    expect(projected?.n).toEqual(new Int32(8));
    const [grouped] = await c
      .aggregate([{ $match: { _id: 4 } }, { $group: { _id: 4, n: { $first: { $toInt: "$n" } } } }], raw)
      .toArray();
    expect(grouped?.n).toEqual(new Int32(8));
    // Nor is a computed _id naming another stored document: n is this document's int32.
    await c.insertOne({ _id: 5, ref: 4, n: 8 } as never);
    const [renamed] = await c
      .aggregate([{ $sort: { _id: 1 } }, { $match: { _id: 5 } }, { $project: { _id: "$ref", n: 1 } }], raw)
      .toArray();
    expect(renamed).toEqual({ _id: new Int32(4), n: new Int32(8) });
    // An update pipeline's $set computes its field the same way; the field beside it is left as stored.
    await c.updateOne({ _id: 4 }, [{ $set: { m: { $toInt: "$n" } } }]);
    const updated = await c.findOne({ _id: 4 }, raw);
    expect(updated).toEqual({ _id: new Int32(4), n: Long.fromNumber(8), m: new Int32(8) });
  });
});
