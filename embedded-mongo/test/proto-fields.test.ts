import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { BSON, type Collection, type Db } from "mongodb";
import { freshDb } from "./client";

/**
 * `__proto__` is an ordinary field name to MongoDB: it is stored, matched and updated like any
 * other, and never reaches a JavaScript prototype (which would change other documents' answers).
 * JSON.parse makes it an own property, as a client's JSON would.
 */

let db: Db;
let close: () => Promise<void>;
let c: Collection;
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

beforeAll(async () => {
  ({ db, close } = await freshDb("proto"));
  c = db.collection("protos");
  await c.insertOne(json('{ "_id": 1, "__proto__": { "x": 1 }, "a": 1 }'));
  await c.insertOne({ _id: 2 as never, a: 2 });
});
afterAll(async () => close());

const ids = async (filter: Record<string, unknown>) => (await c.find(filter).toArray()).map((d) => d._id);

describe("__proto__ as a field name", () => {
  it("is stored and returned as an own field", async () => {
    const doc = await c.findOne({ _id: 1 as never });
    expect(Object.keys(doc ?? {})).toEqual(["_id", "__proto__", "a"]);
    expect(BSON.serialize(doc ?? {})).toEqual(
      BSON.serialize(json('{ "_id": 1, "__proto__": { "x": 1 }, "a": 1 }')),
    );
  });

  it("matches only the documents holding it", async () => {
    expect(await ids(json('{ "__proto__": { "x": 1 } }'))).toEqual([1]);
    expect(await ids(json('{ "__proto__": { "$exists": true } }'))).toEqual([1]);
    expect(await ids(json('{ "__proto__.x": 1 }'))).toEqual([1]);
    expect(await ids(json('{ "__proto__": { "$exists": false } }'))).toEqual([2]);
  });

  it("is updated as a field, and an update through it pollutes nothing", async () => {
    await c.updateOne({ _id: 2 as never }, json('{ "$set": { "__proto__.polluted": 1 } }'));
    expect(await c.findOne({ _id: 2 as never })).toEqual(
      json('{ "_id": 2, "a": 2, "__proto__": { "polluted": 1 } }'),
    );
    await c.insertOne({ _id: 3 as never, plain: true });
    // Had a prototype been written, every document would seem to hold `polluted`.
    expect(await ids({ polluted: { $exists: true } })).toEqual([]);
    expect(await ids({ polluted: 1 })).toEqual([]);
    await c.replaceOne({ _id: 3 as never }, json('{ "__proto__": { "r": 1 } }'));
    expect(await ids(json('{ "__proto__.r": 1 }'))).toEqual([3]);
  });

  it("is renamed to and from like any field, and a missing source renames nothing", async () => {
    await c.insertOne({ _id: 4 as never, n: 1, deep: { m: 2 } });
    await c.updateOne({ _id: 4 as never }, { $rename: { n: "__proto__", "deep.m": "deep.__proto__" } });
    expect(await c.findOne({ _id: 4 as never })).toEqual(
      json('{ "_id": 4, "deep": { "__proto__": 2 }, "__proto__": 1 }'),
    );
    await c.updateOne({ _id: 4 as never }, json('{ "$rename": { "__proto__": "back" } }'));
    expect(await c.findOne({ _id: 4 as never })).toEqual(
      json('{ "_id": 4, "deep": { "__proto__": 2 }, "back": 1 }'),
    );
    const missing = await c.updateOne({ _id: 4 as never }, { $rename: { gone: "made.here" } });
    expect(missing.modifiedCount).toBe(0);
    expect(await c.findOne({ _id: 4 as never })).toEqual(
      json('{ "_id": 4, "deep": { "__proto__": 2 }, "back": 1 }'),
    );
    expect(await ids({ n: { $exists: true } })).toEqual([]);
  });
});
