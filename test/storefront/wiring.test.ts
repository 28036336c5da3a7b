import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ManualClock } from "../../src/clock";
import { loadConfig } from "../../src/config";
import type { CatalogEntry } from "../../src/engine/catalog";
import { silentLogger } from "../../src/logger";
import { type Service, startService } from "../../src/service";
import type { CatalogRead, OrderBookResult, ShippingRequest, Storefront } from "../../src/storefront";
import { freshDatabaseUri } from "../support/db";
import { codeIn, playgroundSay } from "../support/playground-client";

const KEYBOARD: CatalogEntry = {
  sku: "SHOP-KB",
  name: "Shop keyboard",
  price: 10000,
  currency: "EUR",
  tiers: [{ members: 2, percentOff: 10 }],
  regionRebates: {},
};
const MUG: CatalogEntry = {
  sku: "SHOP-MUG",
  name: "Shop mug",
  price: 1500,
  currency: "EUR",
  tiers: [],
  regionRebates: {},
};

/**
 * A storefront as a connected shop would be, written here: its products are what the test puts
 * in `products`; `changed()` is the shop's webhook; orders are recorded as the shop keeps them,
 * refused while `refusals` lasts.
 */
class TestShop implements Storefront {
  readonly id = "test-shop";
  products: CatalogEntry[] = [KEYBOARD, MUG];
  reads = 0;
  /** Calls to deliver, and the orders the shop kept (by orderId and status). */
  attempts: ShippingRequest[] = [];
  readonly kept = new Map<string, ShippingRequest>();
  refusals = 0;
  private listeners: (() => void)[] = [];

  readonly catalog = {
    refreshEveryMs: 3_600_000,
    read: async (): Promise<CatalogRead> => {
      this.reads++;
      return { entries: [...this.products], rejections: [] };
    },
    onChange: (listener: () => void) => {
      this.listeners.push(listener);
    },
  };

  readonly orders = {
    configured: true,
    deliver: async (request: ShippingRequest, body: string): Promise<OrderBookResult> => {
      this.attempts.push(request);
      // The body is the request's exact JSON.
      expect(JSON.parse(body)).toEqual(request);
      if (this.refusals > 0) {
        this.refusals--;
        return { ok: false, reason: "HTTP 503", retryAfterMs: 30_000 };
      }
      this.kept.set(`${request.orderId}:${request.status}`, request);
      return { ok: true };
    },
  };

  readonly mounts = [];
  stopped = false;
  async stop(): Promise<void> {
    this.stopped = true;
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }
}

describe("the service with a connected storefront", () => {
  const shop = new TestShop();
  const clock = new ManualClock("2026-06-01T10:00:00Z");
  let service: Service;
  let base: string;
  const say = async (user: string, text: string) => (await playgroundSay(base, user, text)).text;
  /** What the shop's webhook causes: a reading, awaited here. */
  const shopChanged = async () => {
    shop.changed();
    await service.engine.catalog.settled();
  };

  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", PORT: "0" }, "/nonexistent/.env");
    service = await startService(config, silentLogger, {
      mongodbUri: freshDatabaseUri("storefront"),
      clock,
      storefront: shop,
    });
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => {
    await service?.stop();
  });

  it("sells the storefront's products", async () => {
    const catalog = await say("ann", "/catalog");
    expect(catalog).toContain("SHOP-KB");
    expect(catalog).toContain("SHOP-MUG");
  });

  it("shows a tier changed upstream once the shop says its products changed", async () => {
    shop.products = [{ ...KEYBOARD, tiers: [{ members: 2, percentOff: 35 }] }, MUG];
    const reads = shop.reads;
    await shopChanged();
    expect(shop.reads).toBe(reads + 1);
    expect(await say("ann", "/catalog")).toContain("35%");
  });

  it("withdraws a product no longer listed: kept for its group, refused to new groups, joins and carts", async () => {
    const opened = await say("ann", "/groupbuy SHOP-MUG size=2");
    const code = codeIn(opened, "g");
    shop.products = [KEYBOARD];
    await shopChanged();

    expect(await say("ann", "/catalog")).not.toContain("SHOP-MUG");
    for (const line of ["/groupbuy SHOP-MUG size=2", `/join ${code}`, "/cart add SHOP-MUG"]) {
      expect(await say("bob", line)).toMatch(/^SHOP-MUG is no longer for sale.*\/catalog/);
    }
    // The group that names it still has its page, and its status.
    const page = await fetch(`${base}/g/${code}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Shop mug");
    expect(await say("ann", `/group ${code}`)).toContain(code);

    // Listed again: on sale again.
    shop.products = [KEYBOARD, MUG];
    await shopChanged();
    expect(await say("ann", "/catalog")).toContain("SHOP-MUG");
    expect(await say("bob", `/join ${code}`)).not.toMatch(/no longer for sale/);
  });

  it("refuses a checkout of a cart line whose product was withdrawn after it was added", async () => {
    await say("cid", "/cart add SHOP-MUG");
    shop.products = [KEYBOARD];
    await shopChanged();
    expect(await say("cid", "/cart checkout")).toMatch(/SHOP-MUG is no longer for sale/);
    shop.products = [KEYBOARD, MUG];
    await shopChanged();
  });

  it("places each order in the shop once, retrying after the shop refused it", async () => {
    shop.refusals = 1;
    const before = shop.attempts.length;
    await say("dee", "/cart add SHOP-KB qty=2");
    const reply = await say("dee", "/cart checkout");
    expect(reply).not.toMatch(/no longer|unavailable|wrong/i);
    // Refused once, then tried again after the wait the shop named, on the test clock.
    for (let pass = 0; pass < 6; pass++) {
      await service.engine.outbox.runOnce();
      clock.advance(30_000);
    }
    const tries = shop.attempts.slice(before).filter((r) => r.user === "playground:dee");
    expect(tries.length).toBe(2);
    const placed = [...shop.kept.values()].filter((r) => r.user === "playground:dee");
    expect(placed).toEqual([expect.objectContaining({ sku: "SHOP-KB", qty: 2, status: "requested" })]);
  });

  it("stops the storefront with the service", async () => {
    await service.stop();
    expect(shop.stopped).toBe(true);
  });
});
