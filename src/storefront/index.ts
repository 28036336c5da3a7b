import type { Mount } from "../app";
import type { Clock } from "../clock";
import { readVariables } from "../config/variables";
import type { Logger } from "../logger";
import { webhookOff } from "../webhook-off";
import { createFileStorefront, type FileSettings } from "./file";
import type { MedusaSettings } from "./medusa";
import type { Storefront } from "./port";
import type { ShopifySettings } from "./shopify";

export type {
  CatalogRead,
  CatalogSource,
  OrderBook,
  OrderBookResult,
  ShippingRequest,
  Storefront,
} from "./port";

/** What STOREFRONT may say. */
export const STOREFRONT_IDS = ["file", "shopify", "medusa"] as const;
export type StorefrontId = (typeof STOREFRONT_IDS)[number];

/** The chosen storefront and its validated settings. */
export type StorefrontConfig =
  | { id: "file"; settings: FileSettings }
  | { id: "shopify"; settings: ShopifySettings }
  | { id: "medusa"; settings: MedusaSettings };

export interface StorefrontDeps {
  log: Logger;
  clock: Clock;
}

/** What the configuration has read before the storefront's own variables. */
export interface CommonSettings {
  /** CATALOG_REFRESH. */
  refreshEveryMs: number;
  /** CATALOG_FILE and FULFILLMENT_WEBHOOK_*, for STOREFRONT=file. */
  file: FileSettings;
}

interface StorefrontDefinition<C extends StorefrontConfig> {
  /** Its settings from its own variables (validated: a ConfigError names the variable). */
  configure(env: NodeJS.ProcessEnv, common: CommonSettings): C["settings"];
  create(settings: C["settings"], deps: StorefrontDeps): Storefront;
}

// A connector and its client library load only when that storefront is chosen.
const shopify = () => require("./shopify") as typeof import("./shopify");
const medusa = () => require("./medusa") as typeof import("./medusa");

/**
 * Every storefront crowdcart can sell from. Adding one is its folder under `src/storefront/`
 * (implementing the two ports of `port.ts`), its id above and one entry here.
 */
const STOREFRONTS: { [K in StorefrontId]: StorefrontDefinition<Extract<StorefrontConfig, { id: K }>> } = {
  file: {
    configure: (_env, common) => common.file,
    create: (settings) => createFileStorefront(settings),
  },
  shopify: {
    configure(env, { refreshEveryMs }) {
      const v = readVariables(shopify().SHOPIFY_VARIABLES, env) as Record<string, string | undefined>;
      return {
        shop: v.SHOPIFY_SHOP!,
        adminToken: v.SHOPIFY_ADMIN_TOKEN!,
        webhookSecret: v.SHOPIFY_WEBHOOK_SECRET!,
        ...(v.SHOPIFY_API_URL ? { apiUrl: v.SHOPIFY_API_URL } : {}),
        refreshEveryMs,
      };
    },
    create: (settings, deps) => shopify().createShopifyStorefront(settings, deps),
  },
  medusa: {
    configure(env, { refreshEveryMs }) {
      const v = readVariables(medusa().MEDUSA_VARIABLES, env) as Record<string, string>;
      return { url: v.MEDUSA_URL!, apiKey: v.MEDUSA_API_KEY!, refreshEveryMs };
    },
    create: (settings, deps) => medusa().createMedusaStorefront(settings, deps),
  },
};

/** The storefront STOREFRONT chose, its variables validated. */
export function configureStorefront(
  id: StorefrontId,
  env: NodeJS.ProcessEnv,
  common: CommonSettings,
): StorefrontConfig {
  return { id, settings: STOREFRONTS[id].configure(env, common) } as StorefrontConfig;
}

export function createStorefront(config: StorefrontConfig, deps: StorefrontDeps): Storefront {
  const definition = STOREFRONTS[config.id] as StorefrontDefinition<StorefrontConfig>;
  const storefront = definition.create(config.settings, deps);
  if (config.id === "shopify") return storefront;
  // Shopify's webhook endpoint answers even when Shopify is not the storefront: with no secret to
  // check, every delivery is refused as a forged one would be.
  const shopifyOff: Mount = {
    path: "/shopify/webhook",
    post: webhookOff(401, "Shopify is not this shop's storefront (STOREFRONT=shopify): nothing was changed."),
  };
  return { ...storefront, mounts: [...storefront.mounts, shopifyOff], stop: () => storefront.stop() };
}
