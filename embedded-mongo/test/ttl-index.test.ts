import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Db } from "mongodb";
import { freshDb } from "./client";

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await freshDb("ttl"));
});
afterAll(async () => close());

async function until(check: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return check();
}

describe("TTL indexes", () => {
  it("removes documents whose date is past expireAfterSeconds within the 60 s monitor period, and keeps the rest", async () => {
    const c = db.collection("sessions");
    await c.createIndex({ lastSeen: 1 }, { expireAfterSeconds: 0 });
    const index = (await c.indexes()).find((i) => i.name === "lastSeen_1");
    expect(index?.expireAfterSeconds).toBe(0);
    await c.insertMany([
      { _id: "old" as never, lastSeen: new Date(Date.now() - 60_000) },
      { _id: "future" as never, lastSeen: new Date(Date.now() + 3_600_000) },
      { _id: "no-date" as never, lastSeen: "not a date" },
    ]);
    const gone = await until(async () => (await c.findOne({ _id: "old" as never })) === null, 70_000);
    expect(gone).toBe(true);
    expect((await c.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d._id)).toEqual([
      "future",
      "no-date",
    ]);
  }, 90_000);
});
