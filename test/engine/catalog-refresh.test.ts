import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import pino from "pino";
import type { CatalogEntry } from "../../src/engine/catalog";
import type { CatalogRead, CatalogSource } from "../../src/storefront";
import { createFileStorefront } from "../../src/storefront/file";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, errorCode, people } from "./support/harness";

const entry = (sku: string, percentOff = 10): CatalogEntry => ({
  sku,
  name: `Product ${sku}`,
  price: 1000,
  currency: "EUR",
  tiers: [{ members: 2, percentOff }],
  regionRebates: {},
});

/**
 * A connected storefront's catalog, written here: `hold()` keeps the next readings waiting until
 * `release()`, so a test decides when a reading ends; `failing` makes readings throw.
 */
class TestCatalog implements CatalogSource {
  constructor(readonly refreshEveryMs = 3_600_000) {}
  entries: CatalogEntry[] = [entry("RF-1"), entry("RF-2")];
  rejections: string[] = [];
  failing = false;
  reads = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  private started: (() => void) | undefined;
  private listener: (() => void) | undefined;

  async read(): Promise<CatalogRead> {
    this.reads++;
    this.started?.();
    await this.gate;
    if (this.failing) throw new Error("connect ECONNREFUSED 127.0.0.1:9");
    return { entries: [...this.entries], rejections: [...this.rejections] };
  }
  onChange(listener: () => void): void {
    this.listener = listener;
  }
  changed(): void {
    this.listener?.();
  }
  /** Readings from now on wait; resolves when the next one has begun. */
  hold(): Promise<void> {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
    return new Promise((resolve) => {
      this.started = resolve;
    });
  }
  release(): void {
    this.gate = undefined;
    this.started = undefined;
    this.open?.();
  }
}

function recordingLog() {
  const lines: string[] = [];
  const log = pino(
    { level: "info" },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { log, lines };
}

describe("the catalog read from a connected storefront", () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await freshConnection("catalog_refresh");
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("coalesces a burst of changes: one reading at a time, and one more after it", async () => {
    const source = new TestCatalog();
    const { engine } = await engineOn(connection, {
      storefront: { id: "test", catalog: source, orders: held },
    });
    engine.catalog.start();
    try {
      const before = source.reads;
      const begun = source.hold();
      source.changed();
      await begun;
      // The shop edits two products while the first reading is under way, and says so each time.
      source.entries = [entry("RF-1", 25), entry("RF-2", 30)];
      for (let i = 0; i < 5; i++) source.changed();
      expect(source.reads).toBe(before + 1);
      source.release();
      await engine.catalog.settled();
      expect(source.reads).toBe(before + 2);
      expect((await engine.catalog.get("RF-1"))?.tiers).toEqual([{ members: 2, percentOff: 25 }]);
    } finally {
      await engine.catalog.stop();
    }
  });

  it("reads again every refreshEveryMs once started, and no more once stopped", async () => {
    const source = new TestCatalog(5);
    const { engine } = await engineOn(connection, {
      storefront: { id: "test", catalog: source, orders: held },
    });
    const loaded = source.reads;
    // Waits on the readings themselves, not on a time: two more come from the interval alone.
    const twoMore = new Promise<void>((resolve) => {
      const read = source.read.bind(source);
      source.read = async () => {
        const reading = await read();
        if (source.reads >= loaded + 2) resolve();
        return reading;
      };
    });
    engine.catalog.start();
    await twoMore;
    await engine.catalog.stop();
    const stopped = source.reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(source.reads).toBe(stopped);
  });

  it("starts with the products already known when the storefront cannot be read, saying so in one line", async () => {
    const source = new TestCatalog();
    await engineOn(connection, { storefront: { id: "test", catalog: source, orders: held } });
    source.failing = true;
    const { log, lines } = recordingLog();
    const { engine } = await engineOn(connection, {
      log,
      storefront: { id: "test", catalog: source, orders: held },
    });
    expect(await engine.catalog.get("RF-2")).toMatchObject({ sku: "RF-2", withdrawnAt: null });
    const warning = lines
      .map((line) => JSON.parse(line) as { msg: string })
      .find((l) => /could not/.test(l.msg));
    expect(warning?.msg).toMatch(/^catalog: the storefront could not be read \(connect ECONNREFUSED [^)]+\)/);
    expect(warning?.msg).not.toContain("\n");
  });

  it("logs each product left out, one line each, and sells the rest", async () => {
    const source = new TestCatalog();
    source.rejections = [
      "catalog: product RF-3: tiers: members must be at least 2",
      "catalog: product RF-4: no SKU",
    ];
    const { log, lines } = recordingLog();
    const { engine } = await engineOn(connection, {
      log,
      storefront: { id: "test", catalog: source, orders: held },
    });
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(source.rejections));
    expect((await engine.catalog.list()).map((p) => p.sku)).toEqual(expect.arrayContaining(["RF-1", "RF-2"]));
  });

  it("withdraws a product missing from a reading, and puts it back on sale when it returns", async () => {
    const source = new TestCatalog();
    const h = await engineOn(connection, { storefront: { id: "test", catalog: source, orders: held } });
    const [org, bob] = (await people(h.engine, "org", "bob")) as [string, string];
    const { code } = await h.engine.groups.open(org, "RF-2", { size: 2 });
    source.entries = [entry("RF-1")];
    await h.engine.catalog.refresh();

    expect((await h.engine.catalog.get("RF-2"))?.withdrawnAt).toBeInstanceOf(Date);
    expect((await h.engine.catalog.list()).map((p) => p.sku)).not.toContain("RF-2");
    expect(await errorCode(() => h.engine.groups.open(org, "RF-2", { size: 2 }))).toBe("PRODUCT_WITHDRAWN");
    expect(await errorCode(() => h.engine.groups.join(bob, code))).toBe("PRODUCT_WITHDRAWN");
    expect(await errorCode(() => h.engine.carts.add({ platform: "playground", id: "bob" }, "RF-2"))).toBe(
      "PRODUCT_WITHDRAWN",
    );

    source.entries = [entry("RF-1"), entry("RF-2")];
    await h.engine.catalog.refresh();
    expect((await h.engine.catalog.get("RF-2"))?.withdrawnAt).toBeNull();
    expect(await errorCode(() => h.engine.groups.join(bob, code))).toBe("none");
  });
});

describe("the catalog file", () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await freshConnection("catalog_file_withdraw");
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("withdraws a product taken out of the file at the next start", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "catalog-")), "catalog.json");
    writeFileSync(file, JSON.stringify([entry("FW-1"), entry("FW-2")]));
    const first = await engineOn(connection, { catalogFile: file });
    expect((await first.engine.catalog.list()).map((p) => p.sku)).toEqual(["FW-1", "FW-2"]);
    writeFileSync(file, JSON.stringify([entry("FW-1")]));
    const { engine } = await engineOn(connection, {
      storefront: createFileStorefront({ catalogFile: file }),
    });
    expect((await engine.catalog.list()).map((p) => p.sku)).toEqual(["FW-1"]);
    expect(await engine.catalog.get("FW-2")).toMatchObject({ sku: "FW-2" });
  });
});

/** No orders in these tests: shipping requests are held. */
const held = { configured: false, deliver: async () => ({ ok: false as const, reason: "not configured" }) };
