import type { Clock } from "../../clock";
import type { Logger } from "../../logger";
import type { Storefront } from "../port";
import { readMedusaCatalog } from "./catalog";
import { DEFAULT_RETRY_DELAYS_MS, failureOf, medusaAdmin, withRetries } from "./client";
import { MedusaOrders } from "./orders";
import type { MedusaSettings } from "./settings";
import { readShopDefaults, type ShopDefaults } from "./shop";

export { REBATES_KEY, TIERS_KEY } from "./catalog";
export { ORDER_ID_KEY, PLACEHOLDER_EMAIL_DOMAIN } from "./orders";
export { MEDUSA_VARIABLES, type MedusaSettings } from "./settings";

export interface MedusaDeps {
  log: Logger;
  clock: Clock;
  /** Waits before retrying a request that failed for a passing reason (tests make them 0). */
  retryDelaysMs?: readonly number[];
}

/**
 * A Medusa v2 backend as crowdcart's storefront, through its Admin API and the official JS SDK:
 * products and variants in, draft orders converted to orders out. Medusa sends no product
 * webhooks without a plugin, so its catalog follows by CATALOG_REFRESH alone.
 */
export function createMedusaStorefront(settings: MedusaSettings, deps: MedusaDeps): Storefront {
  const admin = medusaAdmin(settings, deps.log);
  const retryDelaysMs = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  // Read again with every catalog reading, so a changed default region is followed.
  let shop: ShopDefaults | undefined;
  const shopDefaults = async () => {
    shop ??= await readShopDefaults(admin, retryDelaysMs);
    return shop;
  };
  const orders = new MedusaOrders(admin, shopDefaults);

  return {
    id: "medusa",
    catalog: {
      refreshEveryMs: settings.refreshEveryMs,
      async read() {
        try {
          shop = await readShopDefaults(admin, retryDelaysMs);
          return await readMedusaCatalog(admin, shop, retryDelaysMs);
        } catch (error) {
          throw failureOf(error, "reading the catalog");
        }
      },
    },
    orders: {
      configured: true,
      async deliver(request) {
        try {
          // Each try looks up what the one before left upstream, so trying the whole step again is safe.
          await withRetries(
            `delivering order ${request.orderId}`,
            () => (request.status === "requested" ? orders.place(request) : orders.cancel(request)),
            retryDelaysMs,
          );
          return { ok: true };
        } catch (error) {
          const { message, retryAfterMs } = failureOf(error, `delivering order ${request.orderId}`);
          deps.log.warn({ orderId: request.orderId, status: request.status }, message);
          return { ok: false, reason: message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
        }
      },
    },
    mounts: [],
    async stop() {},
  };
}
