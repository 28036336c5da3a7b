import { z } from "zod";
import type { Clock } from "../../clock";
import { httpUrl, type VariableSpecs } from "../../config/variables";
import type { Logger } from "../../logger";
import type { Storefront } from "../port";

/** STOREFRONT=shopify: its variables, all required then but SHOPIFY_API_URL. */
export const SHOPIFY_VARIABLES: VariableSpecs = {
  SHOPIFY_SHOP: {
    schema: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/),
    expected: "the shop's domain, <name>.myshopify.com",
  },
  SHOPIFY_ADMIN_TOKEN: {
    schema: z.string().regex(/^shpat_[A-Za-z0-9]{16,}$/),
    expected: "the custom app's Admin API access token, shpat_…",
  },
  SHOPIFY_WEBHOOK_SECRET: {
    schema: z.string().min(16),
    expected: "the custom app's API secret key (it signs the webhooks), at least 16 characters",
  },
  SHOPIFY_API_URL: {
    schema: httpUrl().optional(),
    expected: "an http(s) URL such as http://127.0.0.1:9000 (a local fake), or unset for Shopify's",
  },
};

export interface ShopifySettings {
  shop: string;
  adminToken: string;
  webhookSecret: string;
  apiUrl?: string;
  refreshEveryMs: number;
}

/** Placeholder until the Shopify connector lands: the registry and config are wired to these names. */
export function createShopifyStorefront(
  _settings: ShopifySettings,
  _deps: { log: Logger; clock: Clock },
): Storefront {
  throw new Error("the Shopify storefront is not built yet");
}
