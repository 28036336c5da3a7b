import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Db } from "mongodb";
import { freshDb, serverError } from "./client";

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await freshDb("fam"));
  await db.collection("jobs").insertMany([
    { _id: 1 as never, state: "ready", priority: 2, payload: "b" },
    { _id: 2 as never, state: "ready", priority: 9, payload: "a" },
    { _id: 3 as never, state: "done", priority: 5, payload: "c" },
  ]);
});
afterAll(async () => close());

describe("findAndModify", () => {
  it("returns the document before the update by default and after it with new/returnDocument", async () => {
    const jobs = db.collection("jobs");
    const before = await jobs.findOneAndUpdate({ _id: 3 as never }, { $set: { note: "x" } });
    expect(before).toMatchObject({ _id: 3 });
    expect(before).not.toHaveProperty("note");
    const after = await jobs.findOneAndUpdate(
      { _id: 3 as never },
      { $set: { note: "y" } },
      { returnDocument: "after" },
    );
    expect(after).toMatchObject({ note: "y" });
  });

  it("picks the first match in sort order and projects the returned fields", async () => {
    const claimed = await db
      .collection("jobs")
      .findOneAndUpdate(
        { state: "ready" },
        { $set: { state: "running" } },
        { sort: { priority: -1 }, projection: { payload: 1, state: 1, _id: 0 }, returnDocument: "after" },
      );
    expect(claimed).toEqual({ payload: "a", state: "running" });
  });

  it("upserts and reports the new _id in lastErrorObject", async () => {
    const reply = await db.command({
      findAndModify: "jobs",
      query: { _id: 10 },
      update: { $set: { state: "ready" }, $setOnInsert: { priority: 1 } },
      upsert: true,
      new: true,
    });
    expect(reply.lastErrorObject).toEqual({ n: 1, updatedExisting: false, upserted: 10 });
    expect(reply.value).toEqual({ _id: 10, state: "ready", priority: 1 });
  });

  it("reports updatedExisting and a null value when nothing matches without upsert", async () => {
    const hit = await db.command({
      findAndModify: "jobs",
      query: { _id: 10 },
      update: { $inc: { priority: 1 } },
    });
    expect(hit.lastErrorObject).toMatchObject({ n: 1, updatedExisting: true });
    const miss = await db.command({
      findAndModify: "jobs",
      query: { _id: 99 },
      update: { $inc: { priority: 1 } },
    });
    expect(miss.lastErrorObject).toMatchObject({ n: 0, updatedExisting: false });
    expect(miss.value).toBeNull();
  });

  it("removes and returns the removed document", async () => {
    const removed = await db.collection("jobs").findOneAndDelete({ _id: 10 as never });
    expect(removed).toMatchObject({ _id: 10 });
    expect(await db.collection("jobs").findOne({ _id: 10 as never })).toBeNull();
  });

  it("replaces a document with findOneAndReplace", async () => {
    const after = await db
      .collection("jobs")
      .findOneAndReplace({ _id: 1 as never }, { state: "replaced" }, { returnDocument: "after" });
    expect(after).toEqual({ _id: 1, state: "replaced" });
  });

  it("refuses update together with remove", async () => {
    const error = await serverError(
      db.command({ findAndModify: "jobs", query: {}, remove: true, update: { $set: { a: 1 } } }),
    );
    expect(error.ok).toBe(0);
  });
});
