import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { CatalogError, loadCatalogFile, parseCatalog } from "../../src/engine/catalog";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn } from "./support/harness";

function rejectionOf(text: string): CatalogError {
  try {
    parseCatalog(text, "shop.json");
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error("expected a CatalogError");
}

describe("catalog file validation", () => {
  it("accepts the contract's example entry with integer minor units", () => {
    const entries = parseCatalog(
      `[{ "sku": "KB-75", "name": "75% keyboard kit", "price": 12900, "currency": "EUR",
   "tiers": [{ "members": 3, "percentOff": 10 }, { "members": 5, "percentOff": 20 }],
   "regionRebates": { "EU": 300 } }]`,
      "shop.json",
    );
    expect(entries).toEqual([
      {
        sku: "KB-75",
        name: "75% keyboard kit",
        price: 12900,
        currency: "EUR",
        tiers: [
          { members: 3, percentOff: 10 },
          { members: 5, percentOff: 20 },
        ],
        regionRebates: { EU: 300 },
      },
    ]);
  });

  it("rejects an unknown field naming the file, the line, the entry and the field", () => {
    const error = rejectionOf(
      [
        "[",
        '  { "sku": "A-1", "name": "A", "price": 100, "currency": "EUR" },',
        '  { "sku": "B-2", "name": "B", "price": 100, "currency": "EUR",',
        '    "colour": "red" }',
        "]",
      ].join("\n"),
    );
    expect(error.rejections).toEqual([
      { file: "shop.json", line: 3, entry: 2, sku: "B-2", reason: 'unknown field "colour"' },
    ]);
    expect(error.message).toBe('catalog: shop.json:3: entry 2 (B-2) unknown field "colour"');
  });

  it("rejects fractional prices, bad currencies and unordered tiers, listing every problem", () => {
    const error = rejectionOf(
      JSON.stringify([
        { sku: "A", name: "A", price: 12.5, currency: "EUR" },
        { sku: "B", name: "B", price: 100, currency: "euro" },
        {
          sku: "C",
          name: "C",
          price: 100,
          currency: "EUR",
          tiers: [
            { members: 5, percentOff: 20 },
            { members: 3, percentOff: 10 },
          ],
        },
      ]),
    );
    expect(error.rejections.map((r) => [r.entry, r.reason])).toEqual([
      [1, "price: whole minor units (12900 = 129.00)"],
      [2, "currency: a three-letter ISO code such as EUR"],
      [3, "tiers: members must strictly increase from one tier to the next"],
    ]);
  });

  it("rejects two entries whose SKUs differ only in case", () => {
    const error = rejectionOf(
      JSON.stringify([
        { sku: "kb-75", name: "A", price: 1, currency: "EUR" },
        { sku: "KB-75", name: "B", price: 1, currency: "EUR" },
      ]),
    );
    expect(error.rejections).toHaveLength(1);
    expect(error.rejections[0]?.reason).toMatch(/duplicates entry 1/);
  });

  it("rejects a file that is not JSON or not an array, naming the file", () => {
    expect(rejectionOf("{ nope").message).toMatch(/^catalog: shop\.json:\d+: not valid JSON/);
    expect(rejectionOf('{"sku":"A"}').message).toBe(
      "catalog: shop.json:1: expected a JSON array of products",
    );
  });

  it("names a missing file in the rejection", () => {
    expect(() => loadCatalogFile("/nonexistent/catalog.json")).toThrow(
      /catalog: \/nonexistent\/catalog\.json:1: cannot read the file/,
    );
  });

  it("ships a valid demo catalog that includes KB-75", () => {
    expect(loadCatalogFile().map((entry) => entry.sku)).toContain("KB-75");
  });
});

describe("catalog in the database", () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await freshConnection("catalog");
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("upserts the demo catalog at start and looks products up by SKU case-insensitively", async () => {
    const { engine } = await engineOn(connection);
    const product = await engine.catalog.get("kb-75");
    expect(product).toMatchObject({
      sku: "KB-75",
      price: 12900,
      currency: "EUR",
      regionRebates: { EU: 300 },
    });
    expect((await engine.catalog.list()).length).toBeGreaterThanOrEqual(3);
    expect(await engine.catalog.get("NOPE-1")).toBeNull();
  });

  it("reloading a changed catalog file updates products in place", async () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-"));
    const file = join(dir, "catalog.json");
    writeFileSync(
      file,
      JSON.stringify([{ sku: "KB-75", name: "75% keyboard kit", price: 9900, currency: "EUR" }]),
    );
    const { engine } = await engineOn(connection, { catalogFile: file });
    expect((await engine.catalog.get("KB-75"))?.price).toBe(9900);
    expect((await engine.catalog.get("KB-75"))?.tiers).toEqual([]);
  });

  it("refuses an unknown SKU with a user error that points to /catalog", async () => {
    const { engine } = await engineOn(connection);
    await expect(engine.catalog.require("ZZ-9")).rejects.toMatchObject({
      code: "UNKNOWN_PRODUCT",
      message: expect.stringContaining("/catalog"),
    });
  });
});

describe("products served from memory", () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await freshConnection("catalog_cache");
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("shows this process's own catalog change at once, another process's within 30 s", async () => {
    const h = await engineOn(connection);
    const priceOf = async () => (await h.engine.catalog.list()).find((p) => p.sku === "KB-75")?.price;
    const before = await priceOf();
    expect((await h.engine.catalog.get("KB-75"))?.price).toBe(before);
    const changed = {
      sku: "KB-75",
      name: "75% keyboard kit",
      price: 777,
      currency: "EUR",
      tiers: [],
      regionRebates: {},
    };
    await h.engine.catalog.upsert([changed]);
    expect(await priceOf()).toBe(777);
    expect((await h.engine.catalog.get("KB-75"))?.price).toBe(777);
    // Another instance loads a new catalog file: the database changes behind this one's memory.
    await connection.collection("products").updateOne({ _id: "KB-75" as never }, { $set: { price: 888 } });
    expect(await priceOf()).toBe(777);
    expect((await h.engine.catalog.get("KB-75"))?.price).toBe(777);
    h.clock.advance(30_001);
    expect(await priceOf()).toBe(888);
    expect((await h.engine.catalog.get("KB-75"))?.price).toBe(888);
  });
});
