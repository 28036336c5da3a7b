import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose, { type Connection } from "mongoose";
import { freshDatabase } from "./client";

let connection: Connection;
let release: () => Promise<void>;

const memberSchema = new mongoose.Schema({
  group: { type: String, required: true },
  user: { type: String, required: true },
  qty: { type: Number, default: 1 },
  items: [{ sku: String, qty: Number }],
});
memberSchema.index({ group: 1, user: 1 }, { unique: true });
const userSchema = new mongoose.Schema({
  email: { type: String, unique: true },
  name: String,
  points: Number,
});
const postSchema = new mongoose.Schema({
  title: String,
  author: { type: mongoose.Schema.Types.ObjectId, ref: "User" },
});

beforeAll(async () => {
  const database = await freshDatabase("mongoose");
  release = database.release;
  connection = await mongoose.createConnection(database.uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  await Promise.all(
    [
      connection.model("Member", memberSchema),
      connection.model("User", userSchema),
      connection.model("Post", postSchema),
    ].map((m) => m.init()),
  );
});
afterAll(async () => {
  await connection.dropDatabase().catch(() => {});
  await connection.close();
  await release();
});

describe("mongoose on the store", () => {
  it("reports a duplicate key as MongoDB does (code 11000 with keyValue)", async () => {
    const User = connection.model("User");
    await User.create({ email: "ann@x", name: "Ann" });
    const error = (await User.create({ email: "ann@x" }).catch((e: unknown) => e)) as {
      code?: number;
      keyValue?: unknown;
    };
    expect(error.code).toBe(11000);
    expect(error.keyValue).toEqual({ email: "ann@x" });
  });

  it("reports a compound duplicate from insertMany and keeps the valid documents when unordered", async () => {
    const Member = connection.model("Member");
    const error = (await Member.insertMany(
      [
        { group: "g", user: "u1" },
        { group: "g", user: "u1" },
        { group: "g", user: "u2" },
      ],
      { ordered: false },
    ).catch((e: unknown) => e)) as { code?: number };
    expect(error.code).toBe(11000);
    expect(await Member.countDocuments({ group: "g" })).toBe(2);
  });

  it("upserts with findOneAndUpdate and returns the new document", async () => {
    const User = connection.model("User");
    const doc = await User.findOneAndUpdate(
      { email: "bob@x" },
      { $inc: { points: 5 }, $setOnInsert: { name: "Bob" } },
      { upsert: true, returnDocument: "after" },
    ).lean();
    expect(doc).toMatchObject({ email: "bob@x", points: 5, name: "Bob" });
    const again = await User.findOneAndUpdate(
      { email: "bob@x" },
      { $inc: { points: 5 } },
      { upsert: true, returnDocument: "after" },
    ).lean();
    expect(again).toMatchObject({ points: 10, name: "Bob" });
  });

  it("commits connection.transaction() writes together and rolls them back on a thrown error", async () => {
    const Member = connection.model("Member");
    const User = connection.model("User");
    await connection.transaction(async (session) => {
      await Member.create([{ group: "t", user: "u1" }], { session });
      await User.updateOne({ email: "ann@x" }, { $inc: { points: 1 } }, { session });
    });
    expect(await Member.exists({ group: "t", user: "u1" })).not.toBeNull();
    const failed = await connection
      .transaction(async (session) => {
        await Member.create([{ group: "t", user: "u2" }], { session });
        throw new Error("changed my mind");
      })
      .catch((e: unknown) => e);
    expect((failed as Error).message).toBe("changed my mind");
    expect(await Member.exists({ group: "t", user: "u2" })).toBeNull();
  });

  it("updates a nested array element with the positional operator through a model", async () => {
    const Member = connection.model("Member");
    await Member.create({
      group: "p",
      user: "u",
      items: [
        { sku: "A", qty: 1 },
        { sku: "B", qty: 1 },
      ],
    });
    await Member.updateOne({ group: "p", user: "u", "items.sku": "B" }, { $inc: { "items.$.qty": 4 } });
    const doc = await Member.findOne({ group: "p", user: "u" }).lean<{ items: Array<{ qty: number }> }>();
    expect(doc?.items.map((i) => i.qty)).toEqual([1, 5]);
  });

  it("populates references across collections", async () => {
    const User = connection.model("User");
    const Post = connection.model("Post");
    const author = await User.create({ email: "cy@x", name: "Cy" });
    await Post.create({ title: "hello", author: author._id });
    const post = await Post.findOne({ title: "hello" }).populate<{ author: { name: string } }>("author");
    expect(post?.author.name).toBe("Cy");
  });

  it("syncs indexes: lists, drops the unknown one and keeps the declared ones", async () => {
    const User = connection.model("User");
    await User.collection.createIndex({ name: 1 });
    const dropped = await User.syncIndexes();
    expect(dropped).toEqual(["name_1"]);
    expect(
      Object.keys(await User.listIndexes().then((l) => Object.fromEntries(l.map((i) => [i.name, i])))),
    ).toEqual(["_id_", "email_1"]);
  });
});
