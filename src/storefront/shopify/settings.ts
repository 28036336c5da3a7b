import { z } from "zod";
import { httpUrl, type VariableSpecs } from "../../config/variables";

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

/**
 * STOREFRONT=shopify reads these (only then): all required but SHOPIFY_API_URL. Each wrong value
 * is one line naming the variable and the form it takes.
 */
export const SHOPIFY_VARIABLES: VariableSpecs = {
  SHOPIFY_SHOP: {
    schema: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}\.myshopify\.com$/),
    expected: "the shop's own <name>.myshopify.com domain, like my-shop.myshopify.com",
  },
  SHOPIFY_ADMIN_TOKEN: {
    // shpat_ for a custom app's token; shpss_ is the app's API secret, a common mix-up.
    schema: z.string().regex(/^shp(?!ss_)[a-z]{2}_[A-Za-z0-9]{16,}$/),
    expected: "the custom app's Admin API access token, like shpat_0123abcd… (not its shpss_ API secret)",
  },
  SHOPIFY_WEBHOOK_SECRET: {
    schema: z.string().min(16),
    expected: "the secret Shopify signs the webhooks with, at least 16 characters",
  },
  SHOPIFY_API_URL: {
    schema: httpUrl().optional(),
    expected: "an http(s) URL such as http://127.0.0.1:9000 (a local stand-in), or unset for Shopify's",
  },
};
