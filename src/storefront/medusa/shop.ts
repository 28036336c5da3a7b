import type { Admin } from "@medusajs/js-sdk";
import { MedusaFailure, type Page, withRetries } from "./client";

/** Where crowdcart's orders go in the shop, and the currency its catalog is priced in. */
export interface ShopDefaults {
  regionId: string;
  /** Upper-case ISO code, as the catalog spells it. */
  currency: string;
  /** Unset when the store has no default sales channel: Medusa then files the order without one. */
  salesChannelId?: string;
}

interface MedusaStore {
  default_region_id?: string | null;
  default_sales_channel_id?: string | null;
}

interface MedusaRegion {
  id: string;
  currency_code: string;
}

/**
 * The store's default region (or, without one, its first region) and that region's currency:
 * orders are placed in that region, so the catalog shows the prices the shop will charge them.
 */
export async function readShopDefaults(
  admin: Admin,
  retryDelaysMs: readonly number[],
): Promise<ShopDefaults> {
  const stores = await withRetries(
    "reading the store",
    () =>
      admin.store.list({ fields: "id,default_region_id,default_sales_channel_id" }) as Promise<
        Page<"stores", MedusaStore>
      >,
    retryDelaysMs,
  );
  const store = stores.stores[0];
  const onlyDefault = store?.default_region_id ? { id: store.default_region_id } : {};
  const regions = await withRetries(
    "reading the regions",
    () =>
      admin.region.list({ ...onlyDefault, limit: 1, fields: "id,currency_code" }) as Promise<
        Page<"regions", MedusaRegion>
      >,
    retryDelaysMs,
  );
  const region = regions.regions[0];
  if (!region) {
    throw new MedusaFailure(
      "Medusa has no region to place orders in: create one in the Medusa admin (Settings → Regions)",
      false,
    );
  }
  return {
    regionId: region.id,
    currency: region.currency_code.toUpperCase(),
    ...(store?.default_sales_channel_id ? { salesChannelId: store.default_sales_channel_id } : {}),
  };
}
