import { z } from "zod";
import { ConfigError, httpUrl, secret, type VariableSpecs } from "../../config/variables";

/** What the Shopify storefront needs, validated from the SHOPIFY_* variables. */
export interface ShopifySettings {
  /** The shop's own domain, `<name>.myshopify.com`. */
  shop: string;
  /** The custom app's Admin API access token. */
  adminToken: string;
  /** The key Shopify signs its webhooks with (X-Shopify-Hmac-Sha256). */
  webhookSecret: string;
  /** Replaces `https://<shop>` in every API call (a local fake in tests). */
  apiUrl?: string;
  /** CATALOG_REFRESH. */
  refreshEveryMs: number;
}

export const shopifyVariables: VariableSpecs = {
  SHOPIFY_SHOP: {
    schema: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,59}\.myshopify\.com$/)
      .optional(),
    expected: "the shop's myshopify.com domain, like my-shop.myshopify.com (not its own domain)",
  },
  SHOPIFY_ADMIN_TOKEN: {
    // shpat_ for a custom app made in the admin; shpss_ is the app's secret, not a token.
    schema: z
      .string()
      .regex(/^shp(?!ss_)[a-z]{2}_[A-Za-z0-9]{16,}$/)
      .optional(),
    expected: "the custom app's Admin API access token, like shpat_0123abcd…",
  },
  SHOPIFY_WEBHOOK_SECRET: {
    schema: secret(),
    expected: "the key Shopify signs webhooks with (at least 16 characters)",
  },
  SHOPIFY_API_URL: {
    schema: httpUrl().optional(),
    expected: "an http(s) URL such as http://127.0.0.1:9000 (only to reach a local stand-in)",
  },
};

/**
 * The settings from the values `readVariables(shopifyVariables, env)` returned; with
 * STOREFRONT=shopify the shop, token and webhook secret are all required.
 */
export function shopifySettings(values: Record<string, unknown>, refreshEveryMs: number): ShopifySettings {
  const v = values as Record<keyof typeof shopifyVariables, string | undefined>;
  for (const name of ["SHOPIFY_SHOP", "SHOPIFY_ADMIN_TOKEN", "SHOPIFY_WEBHOOK_SECRET"] as const) {
    if (!v[name]) {
      const { expected } = shopifyVariables[name]!;
      throw new ConfigError(name, `${expected}; it is required with STOREFRONT=shopify`);
    }
  }
  return {
    shop: v.SHOPIFY_SHOP!,
    adminToken: v.SHOPIFY_ADMIN_TOKEN!,
    webhookSecret: v.SHOPIFY_WEBHOOK_SECRET!,
    ...(v.SHOPIFY_API_URL ? { apiUrl: v.SHOPIFY_API_URL } : {}),
    refreshEveryMs,
  };
}
