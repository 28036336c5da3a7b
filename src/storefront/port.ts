import type { Mount } from "../app";
import type { CatalogEntry } from "../engine/catalog/schema";

/**
 * Where the catalog comes from and where executed orders go (STOREFRONT): the catalog file and the
 * signed shipping webhook, or the shop's own storefront (Shopify, Medusa). Each lives in its own
 * folder under `src/storefront/` and implements these two ports.
 */
export interface Storefront {
  /** The STOREFRONT value that chose it: "file", "shopify", "medusa". */
  readonly id: string;
  readonly catalog: CatalogSource;
  readonly orders: OrderBook;
  /** Routes it serves (Shopify's product webhooks). */
  readonly mounts: readonly Mount[];
  /** Stops its timers and connections. */
  stop(): Promise<void>;
}

/** One reading of the storefront's products. */
export interface CatalogRead {
  /** Every product that passed the catalog's validation, in the catalog file's shape. */
  entries: CatalogEntry[];
  /**
   * One line per product left out, naming it and saying what was wrong (a connected storefront
   * skips a bad product rather than refusing the whole catalog; the file refuses as a whole and
   * throws a CatalogError instead).
   */
  rejections: string[];
}

export interface CatalogSource {
  /**
   * Reads every product. Throws when the storefront cannot be read (unreachable, refused): the
   * products already known stay as they were. A product known before and absent from a reading
   * is withdrawn: kept for the orders that refer to it, refused to new groups and joins.
   */
  read(): Promise<CatalogRead>;
  /**
   * How often a reading is repeated (CATALOG_REFRESH); undefined when the catalog only changes at
   * start (the file).
   */
  readonly refreshEveryMs?: number;
  /**
   * Asks to hear when the storefront says its products changed (Shopify's products/update and
   * products/delete webhooks), so the catalog is read again at once rather than at the next refresh.
   */
  onChange?(listener: () => void): void;
}

/** An executed purchase as the shop should see it: the body of a shipping request (README "Shipping requests"). */
export interface ShippingRequest {
  orderId: string;
  status: "requested" | "cancelled";
  /** null for a cart checkout. */
  groupCode: string | null;
  sku: string;
  qty: number;
  /** The member's platform identity, `<platform>:<id>`. */
  user: string;
  region: string | null;
  createdAt: string;
}

export type OrderBookResult =
  | { ok: true }
  /** Tried again later (after `retryAfterMs` when the shop said how long), until it is accepted. */
  | { ok: false; reason: string; retryAfterMs?: number };

export interface OrderBook {
  /** false: there is nowhere to send orders (no FULFILLMENT_WEBHOOK_URL); they are held, not lost. */
  readonly configured: boolean;
  /**
   * Places (status "requested") or cancels ("cancelled") one order in the shop. Called again after
   * any failure or crash, so it must be idempotent by `orderId` and status: an order that already
   * exists upstream is found, not created twice; a cancellation of a cancelled order is done.
   * `body` is the exact JSON of `request` as first written (the file storefront signs these bytes).
   */
  deliver(request: ShippingRequest, body: string): Promise<OrderBookResult>;
}
