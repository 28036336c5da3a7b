import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Collection, Db } from "mongodb";
import { freshDb, serverError } from "./client";

/** Update paths: what MongoDB accepts together, what it calls a conflict, and where it cannot write. */

interface Doc {
  _id: number;
  items: Array<{ x: number; t: number[]; y?: number }>;
  arr: number[];
  n: number;
}

let db: Db;
let close: () => Promise<void>;
let c: Collection<Doc>;

beforeAll(async () => {
  ({ db, close } = await freshDb("paths"));
  c = db.collection<Doc>("docs");
});
afterAll(async () => close());
beforeEach(async () => {
  await c.deleteMany({});
  await c.insertOne({
    _id: 1,
    items: [
      { x: 1, t: [1] },
      { x: 2, t: [2] },
    ],
    arr: [1, 2],
    n: 5,
  });
});

const items = async () => (await c.findOne({ _id: 1 }))?.items;

describe("update paths", () => {
  it("positional $ with $addToSet next to $set on the same element", async () => {
    await c.updateOne({ _id: 1, "items.x": 1 }, { $set: { "items.$.y": 5 }, $addToSet: { "items.$.t": 6 } });
    expect(await items()).toEqual([
      { x: 1, t: [1, 6], y: 5 },
      { x: 2, t: [2] },
    ]);
  });

  it("checks the filter once, before any change: a step that makes it false stops none of the others", async () => {
    // As a held place is taken: the count the filter compares moves, and so does what it matched.
    await c.updateOne(
      { _id: 1, $expr: { $lt: ["$n", 6] }, items: { $elemMatch: { x: 1 } } },
      { $inc: { n: 1 }, $push: { arr: 3 }, $set: { "items.$[e].x": 4, "items.$[e].y": 1 } },
      { arrayFilters: [{ "e.x": 1 }] },
    );
    expect(await c.findOne({ _id: 1 })).toMatchObject({
      n: 6,
      arr: [1, 2, 3],
      items: [
        { x: 4, t: [1], y: 1 },
        { x: 2, t: [2] },
      ],
    });
  });

  it("two array filters on one array, and one filter used by two operators", async () => {
    await c.updateOne(
      { _id: 1 },
      { $set: { "items.$[a].y": 1, "items.$[b].y": 2 } },
      { arrayFilters: [{ "a.x": 1 }, { "b.x": 2 }] },
    );
    expect(await items()).toEqual([
      { x: 1, t: [1], y: 1 },
      { x: 2, t: [2], y: 2 },
    ]);
    await c.updateOne(
      { _id: 1 },
      { $set: { "items.$[e].x": 7 }, $push: { "items.$[e].t": 9 } },
      { arrayFilters: [{ "e.x": 1 }] },
    );
    expect((await items())?.[0]).toEqual({ x: 7, t: [1, 9], y: 1 });
  });

  it("refuses an array filter the update does not use, and an identifier without a filter", async () => {
    const unused = await serverError(
      c.updateOne(
        { _id: 1 },
        { $set: { "items.$[a].y": 1 } },
        { arrayFilters: [{ "a.x": 1 }, { "b.x": 2 }] },
      ),
    );
    expect(unused.code).toBe(9);
    expect(unused.message).toMatch(/^The array filter for identifier 'b' was not used in the update/);
    const missing = await serverError(c.updateOne({ _id: 1 }, { $set: { "items.$[z].y": 1 } }));
    expect(missing.code).toBe(2);
    expect(missing.message).toBe("No array filter found for identifier 'z' in path 'items.$[z].y'");
  });

  it("refuses paths where one contains the other (ConflictingUpdateOperators)", async () => {
    const error = await serverError(c.updateOne({ _id: 1 }, { $set: { n: 1 }, $inc: { n: 1 } }));
    expect(error.code).toBe(40);
    expect(error.message).toBe("Updating the path 'n' would create a conflict at 'n'");
  });

  it("refuses to create a field inside an array of scalars or a scalar (PathNotViable)", async () => {
    const inArray = await serverError(c.updateOne({ _id: 1 }, { $set: { "arr.b": 1 } }));
    expect(inArray.code).toBe(28);
    expect(inArray.message).toBe("Cannot create field 'b' in element {arr: [ 1, 2 ]}");
    const inScalar = await serverError(c.updateOne({ _id: 1 }, { $inc: { "n.b": 1 } }));
    expect(inScalar.code).toBe(28);
    expect(inScalar.message).toBe("Cannot create field 'b' in element {n: 5}");
    expect((await c.findOne({ _id: 1 }))?.arr).toEqual([1, 2]);
  });

  it("refuses to rename into or out of an array element, and changes nothing", async () => {
    const into = await serverError(c.updateOne({ _id: 1 }, { $rename: { n: "arr.b" } }));
    expect(into.code).toBe(2);
    expect(into.message).toMatch(/^The destination field cannot be an array element/);
    const outOf = await serverError(c.updateOne({ _id: 1 }, { $rename: { "items.x": "x" } }));
    expect(outOf.code).toBe(2);
    expect(outOf.message).toMatch(/^The source field cannot be an array element/);
    // An element named by its index is an array element too, either way round.
    const element = await serverError(c.updateOne({ _id: 1 }, { $rename: { "arr.0": "z" } }));
    expect(element.code).toBe(2);
    expect(element.message).toBe(
      "The source field cannot be an array element, 'arr.0' in doc with _id: 1 has an array field called 'arr'",
    );
    const intoElement = await serverError(c.updateOne({ _id: 1 }, { $rename: { n: "arr.5" } }));
    expect(intoElement.code).toBe(2);
    expect(intoElement.message).toBe(
      "The destination field cannot be an array element, 'arr.5' in doc with _id: 1 has an array field called 'arr'",
    );
    expect(await c.findOne({ _id: 1 }, { projection: { n: 1, arr: 1, z: 1 } })).toEqual({
      _id: 1,
      arr: [1, 2],
      n: 5,
    });
    expect(await items()).toEqual([
      { x: 1, t: [1] },
      { x: 2, t: [2] },
    ]);
  });

  it("refuses to rename a field to itself or along its own path", async () => {
    const itself = await serverError(c.updateOne({ _id: 1 }, { $rename: { n: "n" } }));
    expect(itself.code).toBe(2);
    expect(itself.message).toBe('The source and target field for $rename must differ: n: "n"');
    const inside = await serverError(c.updateOne({ _id: 1 }, { $rename: { n: "n.m" } }));
    expect(inside.code).toBe(2);
    expect(inside.message).toBe(
      'The source and target field for $rename must not be on the same path: n: "n.m"',
    );
    expect((await c.findOne({ _id: 1 }))?.n).toBe(5);
  });
});
