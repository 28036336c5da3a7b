import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from "..";
import { recoverStore } from "../persistence/data-dir";
import { readFrames } from "../persistence/frames";

type State = Array<Record<string, unknown>>;

const dirs: string[] = [];
const temporary = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), name));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function stateOf(dir: string): State {
  const coll = recoverStore(dir, true).store.collection("shop", "orders");
  return [...(coll?.docs.values() ?? [])].sort((a, b) => String(a._id).localeCompare(String(b._id)));
}

/**
 * A crash can cut the journal anywhere in the record being written. Recovery must then give the
 * state after some whole number of commands: never part of one, never a transaction in part.
 */
describe("a journal cut at any byte", () => {
  it("recovers to the state after the last whole record, for every cut in its last records", async () => {
    const source = temporary("torn-source-");
    const store = await startEmbeddedMongo({ inProcess: true, dataDir: source });
    const client = await new MongoClient(store.uri).connect();
    const orders = client
      .db("shop")
      .collection<{ _id: string; qty?: number; note?: string; tags?: string[] }>("orders");
    const read = async () => (await orders.find().sort({ _id: 1 }).toArray()) as State;
    // After each write command, the state a crash right after it must come back to.
    const states: State[] = [[]];
    try {
      await orders.insertOne({ _id: "a", qty: 1 });
      states.push(await read());
      await orders.insertMany([
        { _id: "b", qty: 2 },
        { _id: "c", qty: 3 },
      ]);
      states.push(await read());
      const session = client.startSession();
      await session.withTransaction(async () => {
        await orders.updateOne({ _id: "a" }, { $inc: { qty: 10 } }, { session });
        await orders.deleteOne({ _id: "b" }, { session });
        await orders.insertOne({ _id: "d", qty: 4, note: "é".repeat(20) }, { session });
      });
      await session.endSession();
      states.push(await read());
      await orders.updateOne({ _id: "c" }, { $set: { qty: 30, tags: ["x", "y"] } });
      states.push(await read());
      await orders.deleteOne({ _id: "a" });
      states.push(await read());
    } finally {
      await client.close();
      await store.stop();
    }

    const journalName = readdirSync(source).find((f) => f.startsWith("journal-"))!;
    const journal = readFileSync(join(source, journalName));
    const { frames, validEnd } = readFrames(journal);
    expect(validEnd).toBe(journal.length);
    expect(frames).toHaveLength(states.length - 1);

    const cut = temporary("torn-cut-");
    // Every offset from the start of the transaction's record to the end of the file.
    const from = frames[1]!.end;
    for (let offset = from; offset <= journal.length; offset++) {
      writeFileSync(join(cut, journalName), journal.subarray(0, offset));
      const whole = frames.filter((f) => f.end <= offset).length;
      expect({ offset, state: stateOf(cut) }).toEqual({ offset, state: states[whole] });
      // Recovery cut the torn bytes off: the file now ends at the last whole record.
      expect(readFileSync(join(cut, journalName)).length).toBe(whole === 0 ? 0 : frames[whole - 1]!.end);
    }
  }, 120_000);
});
