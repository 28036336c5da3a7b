import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Db, MongoClient } from "mongodb";
import { freshDb, serverError } from "./client";

let db: Db;
let client: MongoClient;
let uri: string;
let close: () => Promise<void>;

beforeAll(async () => {
  // The embedded store whatever server the other files test: these are its own answers.
  ({ db, client, uri, close } = await freshDb("hello", { embedded: true }));
});
afterAll(async () => close());

describe("handshake and server commands", () => {
  it("reports a writable replica-set primary that supports sessions", async () => {
    const hello = await db.command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
    expect(typeof hello.setName).toBe("string");
    expect(hello.hosts).toContain(hello.primary);
    expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(hello.maxMessageSizeBytes).toBeGreaterThan(hello.maxBsonObjectSize);
  });

  it("names the address it listens on as the primary and sends no topologyVersion", async () => {
    const hello = await db.command({ hello: 1 });
    expect(hello.primary).toBe(new URL(uri).host);
    expect(hello).not.toHaveProperty("topologyVersion");
  });

  it("answers the legacy isMaster too", async () => {
    const reply = await db.command({ isMaster: 1 });
    expect(reply.ismaster).toBe(true);
  });

  it("answers ping and buildInfo", async () => {
    expect((await db.command({ ping: 1 })).ok).toBe(1);
    const info = await db.command({ buildInfo: 1 });
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(Array.isArray(info.versionArray)).toBe(true);
  });

  it("fails any other command with CommandNotFound (59) naming it", async () => {
    const error = await serverError(db.command({ frobnicate: 1 }));
    expect(error.code).toBe(59);
    expect(error.codeName).toBe("CommandNotFound");
    expect(error.message).toContain("frobnicate");
  });

  it("serves many concurrent clients", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => db.collection("conc").insertOne({ i })),
    );
    expect(results.every((r) => r.acknowledged)).toBe(true);
    expect(await client.db(db.databaseName).collection("conc").countDocuments()).toBe(20);
  });
});
