import type { Clock } from "../../clock";
import type { Logger } from "../../logger";
import type { Storefront } from "../port";
import { createShopifyApi, type ShopifyApiDeps } from "./api";
import { readShopifyCatalog } from "./catalog";
import { createShopifyOrderBook } from "./orders";
import type { ShopifySettings } from "./settings";
import { shopifyWebhookMount } from "./webhook";

export { SHOPIFY_API_VERSION } from "./api";
export { SHOPIFY_VARIABLES, type ShopifySettings } from "./settings";

export interface ShopifyDeps {
  log: Logger;
  clock: Clock;
  /** How waits (throttling, Retry-After) are spent; tests pass one that moves their clock. */
  sleep?: ShopifyApiDeps["sleep"];
}

/**
 * STOREFRONT=shopify: the catalog read from the shop's products through the GraphQL Admin API,
 * read again at once on its product webhooks, and each executed purchase placed (or cancelled) as
 * an order in the shop.
 */
export function createShopifyStorefront(settings: ShopifySettings, deps: ShopifyDeps): Storefront {
  const api = createShopifyApi(settings, deps);
  const listeners = new Set<() => void>();
  return {
    id: "shopify",
    catalog: {
      read: () => readShopifyCatalog(api),
      refreshEveryMs: settings.refreshEveryMs,
      onChange: (listener) => void listeners.add(listener),
    },
    orders: createShopifyOrderBook(api, deps.log),
    mounts: [
      shopifyWebhookMount(
        settings.webhookSecret,
        () => {
          for (const listener of listeners) listener();
        },
        deps.log,
      ),
    ],
    async stop() {
      api.stop();
      listeners.clear();
    },
  };
}
