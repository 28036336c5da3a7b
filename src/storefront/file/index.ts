import { loadCatalogFile } from "../../engine/catalog";
import type { Storefront } from "../port";
import { type Fulfillment, shippingWebhook } from "./shipping-webhook";

export type { Fulfillment } from "./shipping-webhook";

export interface FileSettings {
  /** CATALOG_FILE; the bundled demo catalog when unset. */
  catalogFile?: string;
  /** FULFILLMENT_WEBHOOK_URL and its secret; unset = shipping requests are held. */
  fulfillment?: Fulfillment;
}

/**
 * STOREFRONT=file: the catalog is a JSON file read at start (all or nothing: a bad file throws a
 * CatalogError naming every problem), and orders go out as signed shipping requests.
 */
export function createFileStorefront(settings: FileSettings): Storefront {
  return {
    id: "file",
    catalog: { read: async () => ({ entries: loadCatalogFile(settings.catalogFile), rejections: [] }) },
    orders: shippingWebhook(settings.fulfillment),
    mounts: [],
    stop: async () => {},
  };
}
