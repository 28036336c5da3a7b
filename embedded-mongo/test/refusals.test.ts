import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Db } from "mongodb";
import { freshDb, serverError } from "./client";

/**
 * Input MongoDB refuses, refused with MongoDB's own code and message; and the features the store
 * does not run, refused the way MongoDB refuses them where it cannot run them either.
 */

let db: Db;
let close: () => Promise<void>;
const MAX_BSON = 16 * 1024 * 1024;

beforeAll(async () => {
  ({ db, close } = await freshDb("refusals"));
});
afterAll(async () => close());

describe("invalid input", () => {
  it("refuses a document over 16 MiB with BSONObjectTooLarge, on insert and on update", async () => {
    const c = db.collection<{ _id: number; big?: string }>("large");
    const inserted = await serverError(c.insertOne({ _id: 1, big: "x".repeat(MAX_BSON) }));
    expect(inserted.code).toBe(10334);
    expect(inserted.message).toMatch(/^object to insert too large/);
    await c.insertOne({ _id: 2 });
    const updated = await serverError(c.updateOne({ _id: 2 }, { $set: { big: "x".repeat(MAX_BSON) } }));
    expect(updated.code).toBe(10334);
    expect(await c.countDocuments()).toBe(1);
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2 });
  });

  it("refuses a capped collection without a size (InvalidOptions)", async () => {
    const error = await serverError(db.command({ create: "capped", capped: true }));
    expect(error.code).toBe(72);
    expect(error.codeName).toBe("InvalidOptions");
    expect(error.message).toBe("the 'size' field is required when 'capped' is true");
  });

  it("refuses an unknown query operator even when the collection is empty or missing", async () => {
    await db.createCollection("empty");
    for (const name of ["empty", "missing"]) {
      const error = await serverError(
        db
          .collection(name)
          .find({ a: { $foo: 1 } })
          .toArray(),
      );
      expect(error.code).toBe(2);
      expect(error.message).toBe("unknown operator: $foo");
    }
    const topLevel = await serverError(db.collection("empty").countDocuments({ $foo: 1 }));
    expect(topLevel.code).toBe(2);
    expect(topLevel.message).toMatch(/^unknown top level operator: \$foo/);
    const deleting = await serverError(db.collection("missing").deleteMany({ a: { $foo: 1 } }));
    expect(deleting.code).toBe(2);
    // In any $match of a pipeline, not only a leading one.
    const later = await serverError(
      db
        .collection("missing")
        .aggregate([{ $project: { a: 1 } }, { $match: { a: { $foo: 1 } } }])
        .toArray(),
    );
    expect(later.code).toBe(2);
    expect(later.message).toBe("unknown operator: $foo");
  });

  it("refuses $inc on null with TypeMismatch, naming the document and the field", async () => {
    const c = db.collection<{ _id: number; n: number | null }>("inc");
    await c.insertOne({ _id: 1, n: null });
    const error = await serverError(c.updateOne({ _id: 1 }, { $inc: { n: 1 } }));
    expect(error.code).toBe(14);
    expect(error.message).toBe(
      "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'n' of non-numeric type null",
    );
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, n: null });
  });
});

describe("features the store does not run", () => {
  it("refuses $text without a text index (IndexNotFound)", async () => {
    const c = db.collection("articles");
    await c.insertOne({ body: "coffee" });
    const error = await serverError(c.find({ $text: { $search: "coffee" } }).toArray());
    expect(error.code).toBe(27);
    expect(error.message).toMatch(/^text index required for \$text query/);
  });

  it("refuses $where inside an aggregation $match", async () => {
    const c = db.collection("scripts");
    await c.insertOne({ a: 1 });
    const error = await serverError(c.aggregate([{ $match: { $where: "this.a == 1" } }]).toArray());
    // Current servers answer 2 BadValue "… in this context"; older ones 16395 "… inside of a $match …".
    expect([2, 16395]).toContain(error.code);
    expect(error.message).toMatch(/^\$where is not allowed in/);
  });

  it("refuses $near without a geospatial index (NoQueryExecutionPlans)", async () => {
    const c = db.collection("places");
    await c.insertOne({ loc: [0, 0] });
    const error = await serverError(c.find({ loc: { $near: [0, 0] } }).toArray());
    expect(error.code).toBe(291);
    expect(error.message).toMatch(/unable to find index for \$geoNear query/);
  });

  it("opens a change stream only where an oplog exists, else refuses it with 40573", async () => {
    const c = db.collection("watched");
    await c.insertOne({ a: 1 });
    const hasOplog =
      (await db.client.db("local").listCollections({ name: "oplog.rs" }, { nameOnly: true }).toArray())
        .length > 0;
    const stream = c.watch();
    const opened = stream.tryNext().then(
      () => undefined,
      (error: unknown) => error,
    );
    const error = (await opened) as { code?: number; message?: string } | undefined;
    await stream.close();
    if (hasOplog) expect(error).toBeUndefined();
    else {
      expect(error?.code).toBe(40573);
      expect(error?.message).toMatch(/^The \$changeStream stage is only supported on replica sets/);
    }
  });
});

// MongoDB runs these (JavaScript, geometry without an index); the embedded store refuses them with
// the code MongoDB gives where it cannot run them, so these state the store's own answer.
describe("what only the embedded store refuses", () => {
  let own: Db;
  let closeOwn: () => Promise<void>;
  beforeAll(async () => {
    ({ db: own, close: closeOwn } = await freshDb("refusals_own", { embedded: true }));
    await own.collection("places").insertOne({ loc: { type: "Point", coordinates: [0, 0] } });
  });
  afterAll(async () => closeOwn());

  it("refuses $geoWithin and $geoIntersects with NotImplemented (238)", async () => {
    const places = own.collection("places");
    const polygon = {
      type: "Polygon",
      coordinates: [
        [
          [-1, -1],
          [1, -1],
          [1, 1],
          [-1, 1],
          [-1, -1],
        ],
      ],
    };
    for (const filter of [
      { loc: { $geoWithin: { $geometry: polygon } } },
      { loc: { $geoIntersects: { $geometry: polygon } } },
    ]) {
      const error = await serverError(places.find(filter).toArray());
      expect(error.code).toBe(238);
      expect(error.codeName).toBe("NotImplemented");
    }
  });

  it("refuses $where in a find, since it runs no JavaScript (BadValue)", async () => {
    const error = await serverError(own.collection("places").find({ $where: "true" }).toArray());
    expect(error.code).toBe(2);
    expect(error.message).toMatch(/^\$where is not allowed in this context/);
  });
});
