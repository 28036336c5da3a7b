import { afterEach, describe, expect, it } from "@jest/globals";
import { MongoClient } from "mongodb";
import { freshDatabase } from "./client";

/** The tests' own helper: the embedded store it starts is stopped by its last client, whatever else runs. */

const saved = process.env.CONFORMANCE_MONGODB_URI;
afterEach(() => {
  if (saved === undefined) delete process.env.CONFORMANCE_MONGODB_URI;
  else process.env.CONFORMANCE_MONGODB_URI = saved;
});

describe("freshDatabase", () => {
  it("stops the embedded store when its own clients are done, though an external server is in use too", async () => {
    // Never connected to: only the URI is handed out.
    process.env.CONFORMANCE_MONGODB_URI = "mongodb://127.0.0.1:9/";
    const external = await freshDatabase("external");
    const embedded = await freshDatabase("embedded", { embedded: true });
    expect(new URL(external.uri).port).toBe("9");
    const client = await new MongoClient(embedded.uri).connect();
    await client.close();
    await embedded.release();
    // Refused once the store is stopped (the driver gives up after the selection timeout).
    const after = new MongoClient(embedded.uri, { serverSelectionTimeoutMS: 1000 });
    await expect(after.connect()).rejects.toThrow();
    await after.close();
    await external.release();
  });
});
