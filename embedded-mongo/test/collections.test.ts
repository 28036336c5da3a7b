import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Db, MongoClient } from "mongodb";
import { freshDb, serverError } from "./client";

let db: Db;
let client: MongoClient;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, client, close } = await freshDb("colls"));
});
afterAll(async () => close());

describe("collections and databases", () => {
  it("creates a collection once and answers a second create with NamespaceExists (48)", async () => {
    await db.createCollection("orders");
    const error = await serverError(db.command({ create: "orders" }));
    expect(error.code).toBe(48);
    expect(error.codeName).toBe("NamespaceExists");
  });

  it("lists collections, filtered by name", async () => {
    await db.collection("items").insertOne({ a: 1 });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    expect(names).toEqual(["items", "orders"]);
    const only = await db.listCollections({ name: "items" }).toArray();
    expect(only).toHaveLength(1);
    expect(only[0]).toMatchObject({ name: "items", type: "collection" });
  });

  it("drops a collection and its documents", async () => {
    await db.collection("temp").insertOne({ a: 1 });
    expect(await db.collection("temp").drop()).toBe(true);
    expect(await db.collection("temp").countDocuments()).toBe(0);
    expect((await db.listCollections({ name: "temp" }).toArray()).length).toBe(0);
  });

  it("lists and drops databases", async () => {
    const other = client.db(`${db.databaseName}_other`);
    await other.collection("x").insertOne({ a: 1 });
    const listed = await client.db("admin").admin().listDatabases();
    expect(listed.databases.map((d) => d.name)).toContain(other.databaseName);
    await other.dropDatabase();
    const after = await client.db("admin").admin().listDatabases();
    expect(after.databases.map((d) => d.name)).not.toContain(other.databaseName);
  });
});
