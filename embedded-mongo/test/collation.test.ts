import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { CollationOptions, Collection, Db } from "mongodb";
import { freshDb, serverError } from "./client";

/** A command's collation decides how strings compare: in sorts, in matches, in updates and deletes. */

let db: Db;
let close: () => Promise<void>;
let c: Collection<{ _id: number; s: string }>;

beforeAll(async () => {
  ({ db, close } = await freshDb("collation"));
  c = db.collection("words");
  await c.insertMany([
    { _id: 1, s: "b" },
    { _id: 2, s: "A" },
    { _id: 3, s: "a" },
    { _id: 4, s: "B" },
    { _id: 5, s: "á" },
  ]);
  await c.createIndex({ s: 1 });
});
afterAll(async () => close());

const sorted = async (collation?: CollationOptions) =>
  (await c.find({}, { sort: { s: 1, _id: 1 }, ...(collation ? { collation } : {}) }).toArray()).map(
    (d) => d._id,
  );

describe("collation", () => {
  it("sorts by the locale's order instead of code points", async () => {
    expect(await sorted()).toEqual([2, 4, 3, 1, 5]);
    expect(await sorted({ locale: "simple" })).toEqual([2, 4, 3, 1, 5]);
    // Strength 2 ignores case (ties broken by _id), strength 1 ignores accents too.
    expect(await sorted({ locale: "en", strength: 2 })).toEqual([2, 3, 5, 1, 4]);
    expect(await sorted({ locale: "en", strength: 1 })).toEqual([2, 3, 5, 1, 4]);
  });

  it("sorts an aggregation's $sort stages by the command's collation too", async () => {
    const ids = async (pipeline: object[], collation?: CollationOptions) =>
      (await c.aggregate(pipeline, collation ? { collation } : {}).toArray()).map((d) => d._id);
    const byString = { $sort: { s: 1, _id: 1 } };
    expect(await ids([byString])).toEqual([2, 4, 3, 1, 5]);
    expect(await ids([byString], { locale: "en", strength: 2 })).toEqual([2, 3, 5, 1, 4]);
    // After other stages as well, not only as the pipeline's first stage.
    const later = [{ $match: { _id: { $gt: 0 } } }, { $project: { s: 1 } }, byString];
    expect(await ids(later, { locale: "en", strength: 1 })).toEqual([2, 3, 5, 1, 4]);
  });

  it("matches by the command's collation in an aggregation's later $match stages too", async () => {
    const ids = async (collation?: CollationOptions) =>
      (
        await c
          .aggregate([{ $sort: { _id: 1 } }, { $match: { s: "a" } }], collation ? { collation } : {})
          .toArray()
      ).map((d) => d._id);
    expect(await ids()).toEqual([3]);
    expect(await ids({ locale: "en", strength: 2 })).toEqual([2, 3]);
    expect(await ids({ locale: "en", strength: 1 })).toEqual([2, 3, 5]);
  });

  it("lets a $lookup sub-pipeline's $match read the let variables under a collation", async () => {
    // The $expr sees $$s; the plain field beside it still compares by the collation ("Á" is "á" at
    // strength 2), so only the accented word joins itself.
    const [joined] = await c
      .aggregate(
        [
          { $match: { _id: 5 } },
          {
            $lookup: {
              from: "words",
              let: { s: "$s" },
              pipeline: [{ $match: { $expr: { $eq: ["$s", "$$s"] }, s: "Á" } }, { $project: { _id: 1 } }],
              as: "same",
            },
          },
        ],
        { collation: { locale: "en", strength: 2 } },
      )
      .toArray();
    expect(joined?.same).toEqual([{ _id: 5 }]);
  });

  it("groups strings the collation calls equal into one $group", async () => {
    const groups = async (collation?: CollationOptions) =>
      (
        await c
          .aggregate(
            [{ $sort: { _id: 1 } }, { $group: { _id: "$s", n: { $sum: 1 }, ids: { $push: "$_id" } } }],
            collation ? { collation } : {},
          )
          .toArray()
      )
        .map((g) => g.ids)
        .sort((a, b) => a[0] - b[0]);
    expect(await groups()).toEqual([[1], [2], [3], [4], [5]]);
    expect(await groups({ locale: "en", strength: 2 })).toEqual([[1, 4], [2, 3], [5]]);
    expect(await groups({ locale: "en", strength: 1 })).toEqual([
      [1, 4],
      [2, 3, 5],
    ]);
  });

  it("matches case-insensitively at strength 2 and accent-insensitively at strength 1, even where an index exists", async () => {
    const ids = async (strength: number) =>
      (await c.find({ s: "a" }, { collation: { locale: "en", strength }, sort: { _id: 1 } }).toArray()).map(
        (d) => d._id,
      );
    expect(await ids(3)).toEqual([3]);
    expect(await ids(2)).toEqual([2, 3]);
    expect(await ids(1)).toEqual([2, 3, 5]);
    expect(await c.countDocuments({ s: { $in: ["B"] } }, { collation: { locale: "en", strength: 2 } })).toBe(
      2,
    );
  });

  it("applies to updates and deletes", async () => {
    const updated = await c.updateMany({ s: "B" }, { $set: { tagged: true } } as never, {
      collation: { locale: "en", strength: 2 },
    });
    expect(updated.modifiedCount).toBe(2);
    const deleted = await c.deleteMany(
      { s: "Á", tagged: { $exists: false } },
      { collation: { locale: "fr", strength: 1 } },
    );
    expect(deleted.deletedCount).toBe(3);
    expect((await c.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d._id)).toEqual([1, 4]);
  });

  it("refuses a collation without a locale", async () => {
    const error = await serverError(c.find({}, { collation: { strength: 2 } as never }).toArray());
    expect(error.code).toBe(40414);
  });
});
