import { describe, expect, it } from "@jest/globals";
import { ConfigError, loadConfig } from "../../src/config";

const load = (env: Record<string, string>) => loadConfig(env, "/nonexistent/.env");

function errorOf(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const SHOPIFY = {
  STOREFRONT: "shopify",
  SHOPIFY_SHOP: "crowd-test.myshopify.com",
  SHOPIFY_ADMIN_TOKEN: `shpat_${"a1".repeat(16)}`,
  SHOPIFY_WEBHOOK_SECRET: "w".repeat(32),
};
const MEDUSA = {
  STOREFRONT: "medusa",
  MEDUSA_URL: "http://127.0.0.1:9000",
  MEDUSA_API_KEY: `sk_${"m".repeat(32)}`,
};

describe("STOREFRONT and CATALOG_REFRESH", () => {
  it("defaults to the catalog file and the shipping webhook, carrying their settings", () => {
    const config = load({
      FULFILLMENT_WEBHOOK_URL: "https://ship.example.com/in",
      FULFILLMENT_WEBHOOK_SECRET: "s".repeat(20),
    });
    expect(config.storefront).toEqual({
      id: "file",
      settings: { fulfillment: { url: "https://ship.example.com/in", secret: "s".repeat(20) } },
    });
  });

  it("reads only the chosen storefront's variables, with CATALOG_REFRESH (5m unless set)", () => {
    expect(load(SHOPIFY).storefront).toEqual({
      id: "shopify",
      settings: {
        shop: SHOPIFY.SHOPIFY_SHOP,
        adminToken: SHOPIFY.SHOPIFY_ADMIN_TOKEN,
        webhookSecret: SHOPIFY.SHOPIFY_WEBHOOK_SECRET,
        refreshEveryMs: 5 * 60_000,
      },
    });
    expect(load({ ...MEDUSA, CATALOG_REFRESH: "90s" }).storefront).toEqual({
      id: "medusa",
      settings: { url: MEDUSA.MEDUSA_URL, apiKey: MEDUSA.MEDUSA_API_KEY, refreshEveryMs: 90_000 },
    });
    // Another storefront's variables are not required, nor read.
    expect(load({ SHOPIFY_SHOP: "not a shop" }).storefront.id).toBe("file");
  });

  it.each([
    [{ STOREFRONT: "woocommerce" }, "STOREFRONT", "one of file, shopify, medusa"],
    [{ CATALOG_REFRESH: "5 minutes" }, "CATALOG_REFRESH", "at least 10s"],
    [{ CATALOG_REFRESH: "1s" }, "CATALOG_REFRESH", "at least 10s"],
    [{ STOREFRONT: "shopify" }, "SHOPIFY_SHOP", "myshopify.com"],
    [{ ...SHOPIFY, SHOPIFY_SHOP: "shop.example.com" }, "SHOPIFY_SHOP", "myshopify.com"],
    [{ ...SHOPIFY, SHOPIFY_ADMIN_TOKEN: "" }, "SHOPIFY_ADMIN_TOKEN", "shpat_"],
    [{ ...SHOPIFY, SHOPIFY_WEBHOOK_SECRET: "short" }, "SHOPIFY_WEBHOOK_SECRET", "secret"],
    [{ ...SHOPIFY, SHOPIFY_API_URL: "ftp://x" }, "SHOPIFY_API_URL", "URL"],
    [{ STOREFRONT: "medusa" }, "MEDUSA_URL", "URL"],
    [{ ...MEDUSA, MEDUSA_API_KEY: "" }, "MEDUSA_API_KEY", "API key"],
  ])("%j is refused with one line naming %s", (env, variable, expected) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain("\n");
  });
});
