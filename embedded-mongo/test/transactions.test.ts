import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type Collection, type Db, type MongoClient, MongoServerError } from "mongodb";
import { freshDb, serverError } from "./client";

let db: Db;
let client: MongoClient;
let close: () => Promise<void>;
let accounts: Collection;

beforeAll(async () => {
  ({ db, client, close } = await freshDb("txn"));
  accounts = db.collection("accounts");
  await accounts.createIndex({ email: 1 }, { unique: true });
  await accounts.insertMany([
    { _id: "a" as never, email: "a@x", balance: 100 },
    { _id: "b" as never, email: "b@x", balance: 0 },
  ]);
});
afterAll(async () => close());

describe("transactions", () => {
  it("keeps writes invisible to other sessions until commit", async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await accounts.updateOne({ _id: "a" as never }, { $inc: { balance: -30 } }, { session });
      await accounts.updateOne({ _id: "b" as never }, { $inc: { balance: 30 } }, { session });
      await accounts.insertOne({ _id: "c" as never, email: "c@x", balance: 1 }, { session });
      expect((await accounts.findOne({ _id: "a" as never }, { session }))?.balance).toBe(70);
      expect((await accounts.findOne({ _id: "a" as never }))?.balance).toBe(100);
      expect(await accounts.findOne({ _id: "c" as never })).toBeNull();
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect((await accounts.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d.balance)).toEqual([
      70, 30, 1,
    ]);
  });

  it("undoes every write on abort", async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await accounts.deleteOne({ _id: "c" as never }, { session });
      await accounts.updateOne({ _id: "a" as never }, { $set: { balance: 0 } }, { session });
      await accounts.insertOne({ _id: "d" as never, email: "d@x" }, { session });
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await accounts.countDocuments()).toBe(3);
    expect((await accounts.findOne({ _id: "a" as never }))?.balance).toBe(70);
  });

  it("reads from a snapshot taken at its first operation", async () => {
    const notes = db.collection("notes");
    await notes.insertMany([
      { _id: "n1" as never, v: 1 },
      { _id: "n2" as never, v: 1 },
    ]);
    const session = client.startSession();
    try {
      session.startTransaction();
      expect((await notes.findOne({ _id: "n1" as never }, { session }))?.v).toBe(1);
      await notes.updateOne({ _id: "n1" as never }, { $set: { v: 2 } });
      await notes.deleteOne({ _id: "n2" as never });
      await notes.insertOne({ _id: "n3" as never, v: 1 });
      expect((await notes.findOne({ _id: "n1" as never }, { session }))?.v).toBe(1);
      expect((await notes.find({ v: 1 }, { session, sort: { _id: 1 } }).toArray()).map((d) => d._id)).toEqual(
        ["n1", "n2"],
      );
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect((await notes.find({}, { sort: { _id: 1 } }).toArray()).map((d) => [d._id, d.v])).toEqual([
      ["n1", 2],
      ["n3", 1],
    ]);
  });

  it("gives a transaction WriteConflict (112, TransientTransactionError) when another transaction holds the document", async () => {
    const first = client.startSession();
    const second = client.startSession();
    try {
      first.startTransaction();
      second.startTransaction();
      await accounts.updateOne({ _id: "a" as never }, { $inc: { balance: 1 } }, { session: first });
      const error = await serverError(
        accounts.updateOne({ _id: "a" as never }, { $inc: { balance: 1 } }, { session: second }),
      );
      expect(error.code).toBe(112);
      expect(error.hasErrorLabel("TransientTransactionError")).toBe(true);
      await second.abortTransaction().catch(() => {});
      await first.commitTransaction();
    } finally {
      await first.endSession();
      await second.endSession();
    }
    expect((await accounts.findOne({ _id: "a" as never }))?.balance).toBe(71);
  });

  it("gives a transaction WriteConflict when a document changed after it started", async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await accounts.findOne({ _id: "b" as never }, { session });
      await accounts.updateOne({ _id: "a" as never }, { $inc: { balance: 5 } });
      const error = await serverError(
        accounts.updateOne({ _id: "a" as never }, { $inc: { balance: 1 } }, { session }),
      );
      expect(error.code).toBe(112);
      await session.abortTransaction().catch(() => {});
    } finally {
      await session.endSession();
    }
    expect((await accounts.findOne({ _id: "a" as never }))?.balance).toBe(76);
  });

  it("answers an outside write to a document an open transaction holds without hanging", async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await accounts.updateOne({ _id: "b" as never }, { $inc: { balance: 1 } }, { session });
      const outside = accounts.updateOne({ _id: "b" as never }, { $inc: { balance: 100 } }).then(
        () => "applied",
        (error: unknown) => error,
      );
      // The embedded store refuses at once (a real MongoDB makes the outside write wait for the commit).
      const error = await outside;
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(112);
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    const balance = (await accounts.findOne({ _id: "b" as never }))?.balance;
    expect(balance).toBe(31);
  });

  it("enforces unique indexes inside a transaction", async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await accounts.insertOne({ _id: "e" as never, email: "e@x" }, { session });
      const dup = await serverError(accounts.insertOne({ _id: "e2" as never, email: "e@x" }, { session }));
      expect(dup.code).toBe(11000);
      await session.abortTransaction().catch(() => {});
    } finally {
      await session.endSession();
    }
    expect(await accounts.findOne({ email: "e@x" })).toBeNull();
  });

  it("answers commitTransaction and abortTransaction for unknown transactions with NoSuchTransaction (251)", async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await accounts.findOne({}, { session });
      await session.abortTransaction();
      const lsid = session.id;
      const error = await serverError(
        client.db("admin").command({ commitTransaction: 1, lsid, txnNumber: 999, autocommit: false }),
      );
      expect(error.code).toBe(251);
    } finally {
      await session.endSession();
    }
  });

  it("retries a whole callback with withTransaction and commits it", async () => {
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await accounts.updateOne({ _id: "a" as never }, { $set: { tag: "wt" } }, { session });
      });
    } finally {
      await session.endSession();
    }
    expect((await accounts.findOne({ _id: "a" as never }))?.tag).toBe("wt");
  });

  it("ends sessions", async () => {
    const session = client.startSession();
    await accounts.findOne({}, { session });
    const reply = await client.db("admin").command({ endSessions: [session.id] });
    expect(reply.ok).toBe(1);
    await session.endSession();
  });
});
