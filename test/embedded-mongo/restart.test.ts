import { describe, expect, it } from "@jest/globals";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from "../../src/db/embedded-mongo";

/** The embedded store's own start/stop behaviour (a child process, as the app and the test run use it). */
describe("starting and stopping the embedded store", () => {
  it("comes back at the same address after a stop, and a connected client carries on", async () => {
    const first = await startEmbeddedMongo();
    const client = await new MongoClient(first.uri, { serverSelectionTimeoutMS: 15_000 }).connect();
    try {
      await client.db("restart").collection("c").insertOne({ before: true });
      await first.stop();
      const second = await startEmbeddedMongo({ port: first.port });
      try {
        expect(second.port).toBe(first.port);
        expect(second.uri).toBe(first.uri);
        await client.db("restart").collection("c").insertOne({ after: true });
        // A fresh process starts empty: the store keeps nothing across restarts.
        expect(await client.db("restart").collection("c").countDocuments()).toBe(1);
      } finally {
        await second.stop();
      }
    } finally {
      await client.close();
    }
  }, 120_000);

  it("runs in this process when asked to", async () => {
    const store = await startEmbeddedMongo({ inProcess: true });
    const client = await new MongoClient(store.uri).connect();
    try {
      expect((await client.db("admin").command({ ping: 1 })).ok).toBe(1);
    } finally {
      await client.close();
      await store.stop();
    }
  });
});
