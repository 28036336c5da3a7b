import { describe, expect, it } from "@jest/globals";
import { startEmbeddedMongo } from "../../embedded-mongo";
import { connectDatabase } from "../../src/db/database";

describe("database ping behind /healthz", () => {
  it("answers true while the store runs and false once it is gone", async () => {
    const store = await startEmbeddedMongo({ inProcess: true });
    const db = await connectDatabase(store.uri, "embedded");
    try {
      expect(await db.ping()).toBe(true);
      await store.stop();
      expect(await db.ping(500)).toBe(false);
    } finally {
      await db.close();
    }
  });
});
