import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Binary, type Collection, type Db } from "mongodb";
import { freshDb } from "./client";

/** Query, projection and $pull answers where MongoDB's rules are easy to get subtly wrong. */

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await freshDb("semantics"));
});
afterAll(async () => close());

const idsOf = async (c: Collection<{ _id: string }>, filter: object) =>
  (await c.find(filter).toArray()).map((d) => d._id).sort();

describe("null on a dotted path", () => {
  it("matches a missing field or scalar on the way and object elements without it, never empty or scalar arrays", async () => {
    const c = db.collection<{ _id: string }>("nulls");
    await c.insertMany([
      { _id: "empty_object", a: {} },
      { _id: "a_null", a: null },
      { _id: "a_number", a: 4 },
      { _id: "b_null", a: { b: null } },
      { _id: "b_set", a: { b: "hi" } },
      { _id: "no_a" },
      { _id: "empty_array", a: [] },
      { _id: "double_array", a: [[]] },
      { _id: "objects_some_missing", a: [{ b: 3 }, {}] },
      { _id: "objects_no_nulls", a: [{ b: 1 }, { b: 3 }] },
      { _id: "scalar_array", a: [1, null] },
    ] as never);
    const expected = ["a_null", "a_number", "b_null", "empty_object", "no_a", "objects_some_missing"];
    expect(await idsOf(c, { "a.b": null })).toEqual(expected);
    expect(await idsOf(c, { "a.b": { $eq: null } })).toEqual(expected);
    expect(await idsOf(c, { $or: [{ "a.b": null }, { "a.b": 75 }] })).toEqual(expected);
    expect(await idsOf(c, { "a.b": { $ne: null } })).toEqual([
      "b_set",
      "double_array",
      "empty_array",
      "objects_no_nulls",
      "scalar_array",
    ]);
  });
});

describe("array operators", () => {
  it("$all matches a single non-array value equal to each listed value", async () => {
    const c = db.collection<{ _id: string }>("all");
    await c.insertMany([
      { _id: "scalar", a: 5 },
      { _id: "array", a: [5, 6] },
      { _id: "other", a: 7 },
    ] as never);
    expect(await idsOf(c, { a: { $all: [5] } })).toEqual(["array", "scalar"]);
    expect(await idsOf(c, { a: { $all: [5, 6] } })).toEqual(["array"]);
    expect(await idsOf(c, { a: { $all: [] } })).toEqual([]);
  });

  it("bitwise operators read BinData bit by bit, as well as integers", async () => {
    const c = db.collection<{ _id: string }>("bits");
    await c.insertMany([
      { _id: "bin", a: new Binary(Buffer.from([0b0000_0101, 0b1000_0000])) },
      { _id: "int", a: 0b101 },
      { _id: "negative", a: -1 },
      { _id: "string", a: "5" },
    ] as never);
    expect(await idsOf(c, { a: { $bitsAllSet: [0, 2] } })).toEqual(["bin", "int", "negative"]);
    expect(await idsOf(c, { a: { $bitsAllSet: [15] } })).toEqual(["bin", "negative"]);
    expect(await idsOf(c, { a: { $bitsAnySet: new Binary(Buffer.from([0b10])) } })).toEqual(["negative"]);
    expect(await idsOf(c, { a: { $bitsAllClear: 0b10 } })).toEqual(["bin", "int"]);
    expect(await idsOf(c, { a: { $bitsAnyClear: 5 } })).toEqual([]);
  });
});

describe("$pull with a condition", () => {
  it("removes the document elements a sub-query with $or matches, and values an operator condition matches", async () => {
    const c = db.collection<{ _id: number; items: Array<{ x: number }>; n: number[] }>("pull");
    await c.insertOne({ _id: 1, items: [{ x: 1 }, { x: 2 }, { x: 3 }], n: [1, 6, 9] });
    await c.updateOne({ _id: 1 }, {
      $pull: { items: { $or: [{ x: 1 }, { x: 3 }] }, n: { $gte: 6 } },
    } as never);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, items: [{ x: 2 }], n: [1] });
  });
});

describe("projection", () => {
  const doc = {
    _id: 1,
    name: "kb",
    scores: [1, 5, 9, 12],
    games: [{ score: 3 }, { score: 8 }, { score: 10 }],
  };

  it("keeps or leaves out whole top-level fields, the id by its own rule, in the document's order", async () => {
    const c = db.collection<typeof doc>("plain");
    await c.insertOne(doc);
    const keys = async (projection: Record<string, unknown>) =>
      Object.keys((await c.findOne({ _id: 1 }, { projection })) ?? {});
    expect(await c.findOne({ _id: 1 }, { projection: { games: 1, name: 1 } })).toEqual({
      _id: 1,
      name: "kb",
      games: doc.games,
    });
    expect(await keys({ games: 1, name: true })).toEqual(["_id", "name", "games"]);
    expect(await keys({ name: 1, _id: 0 })).toEqual(["name"]);
    expect(await keys({ scores: 0, games: false })).toEqual(["_id", "name"]);
    expect(await keys({ _id: 0 })).toEqual(["name", "scores", "games"]);
    expect(await keys({ _id: 1 })).toEqual(["_id"]);
    expect(await keys({ missing: 1 })).toEqual(["_id"]);
    // A kept field and a left-out one together is MongoDB's error, not a guess.
    await expect(c.findOne({ _id: 1 }, { projection: { name: 1, scores: 0 } })).rejects.toThrow();
    // findAndModify shapes the document it returns the same way.
    const after = await c.findOneAndUpdate(
      { _id: 1 },
      { $set: { name: "kb2" } },
      { returnDocument: "after", projection: { scores: 0, games: 0 } },
    );
    expect(after).toEqual({ _id: 1, name: "kb2" });
  });

  it("$slice keeps every other field, and sits beside an exclusion or an inclusion", async () => {
    const c = db.collection<typeof doc>("slice");
    await c.insertOne(doc);
    expect(await c.findOne({ _id: 1 }, { projection: { scores: { $slice: 2 } } })).toEqual({
      ...doc,
      scores: [1, 5],
    });
    expect(await c.findOne({ _id: 1 }, { projection: { scores: { $slice: -1 }, games: 0 } })).toEqual({
      _id: 1,
      name: "kb",
      scores: [12],
    });
    expect(await c.findOne({ _id: 1 }, { projection: { scores: { $slice: [1, 2] }, name: 1 } })).toEqual({
      _id: 1,
      name: "kb",
      scores: [5, 9],
    });
    // In the document's order, the id first, as every projection.
    const keys = async (projection: Record<string, unknown>) =>
      Object.keys((await c.findOne({ _id: 1 }, { projection })) ?? {});
    expect(await keys({ scores: { $slice: [1, 2] }, name: 1 })).toEqual(["_id", "name", "scores"]);
    expect(await keys({ games: 1, scores: { $slice: 1 } })).toEqual(["_id", "scores", "games"]);
    expect(await keys({ "games.score": 1, name: 1 })).toEqual(["_id", "name", "games"]);
  });

  it("$elemMatch returns the first matching element, with operator-only conditions too", async () => {
    const c = db.collection<typeof doc>("elem");
    await c.insertOne(doc);
    expect(await c.findOne({ _id: 1 }, { projection: { scores: { $elemMatch: { $gt: 5 } } } })).toEqual({
      _id: 1,
      scores: [9],
    });
    expect(
      await c.findOne({ _id: 1 }, { projection: { games: { $elemMatch: { score: { $gt: 5 } } }, name: 1 } }),
    ).toEqual({ _id: 1, name: "kb", games: [{ score: 8 }] });
    // The $elemMatch field comes after the other fields kept, whatever the document's order.
    const kept = await c.findOne(
      { _id: 1 },
      { projection: { scores: { $elemMatch: { $gt: 5 } }, games: 1 } },
    );
    expect(Object.keys(kept ?? {})).toEqual(["_id", "games", "scores"]);
    expect(await c.findOne({ _id: 1 }, { projection: { scores: { $elemMatch: { $gt: 50 } } } })).toEqual({
      _id: 1,
    });
  });
});
