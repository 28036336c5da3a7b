import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Db } from "mongodb";
import { freshDb } from "./client";

/** A capped collection keeps only its newest documents, within `max` documents and `size` bytes. */

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await freshDb("capped"));
});
afterAll(async () => close());

describe("capped collections", () => {
  it("drop the oldest documents beyond max", async () => {
    await db.createCollection("log", { capped: true, size: 4096, max: 3 });
    const c = db.collection<{ _id: number }>("log");
    for (let i = 1; i <= 5; i++) await c.insertOne({ _id: i });
    expect((await c.find().toArray()).map((d) => d._id)).toEqual([3, 4, 5]);
  });

  it("drop the oldest documents beyond size", async () => {
    await db.createCollection("bytes", { capped: true, size: 4096 });
    const c = db.collection<{ _id: number; pad: string }>("bytes");
    for (let i = 1; i <= 10; i++) await c.insertOne({ _id: i, pad: "x".repeat(1100) });
    const ids = (await c.find().toArray()).map((d) => d._id);
    // Documents of 1124 bytes: a fourth would not fit in 4096 bytes, so the newest three remain.
    expect(ids).toEqual([8, 9, 10]);
  });
});
