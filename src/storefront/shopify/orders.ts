import { KeyedLock } from "../../engine/keyed-lock";
import type { Logger } from "../../logger";
import type { OrderBook, OrderBookResult, ShippingRequest } from "../port";
import { type ShopifyApi, ShopifyApiError } from "./api";

interface UserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}
interface ShopOrder {
  id: string;
  name: string;
  sourceIdentifier: string | null;
  cancelledAt: string | null;
}

const FIND_ORDER = `query CrowdcartFindOrder($query: String!) {
  orders(first: 5, query: $query) {
    nodes { id name sourceIdentifier cancelledAt }
  }
}`;

const FIND_VARIANT = `query CrowdcartFindVariant($query: String!) {
  productVariants(first: 5, query: $query) {
    nodes { id sku }
  }
}`;

const CREATE_ORDER = `mutation CrowdcartCreateOrder($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name }
    userErrors { field message code }
  }
}`;

const CANCEL_ORDER = `mutation CrowdcartCancelOrder($orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!, $refundMethod: OrderCancelRefundMethodInput!, $notifyCustomer: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, restock: $restock, refundMethod: $refundMethod, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}`;

/**
 * Each crowdcart order as an order in the shop. The shop keeps the idempotency key: the order's
 * `sourceIdentifier` (`crowdcart:<orderId>`) and a tag of the same id to search it by. Every
 * delivery looks for it first, so a retry after a crash — the order made in the shop but its
 * answer never recorded here — finds it instead of making a second.
 */
export function createShopifyOrderBook(api: ShopifyApi, log: Logger): OrderBook {
  async function find(orderId: string): Promise<ShopOrder | undefined> {
    const { orders } = await api.query<{ orders: { nodes: ShopOrder[] } }>(FIND_ORDER, {
      query: `tag:${quoted(orderTag(orderId))}`,
    });
    // Tag search ignores case; the source identifier is exact.
    return orders.nodes.find((order) => order.sourceIdentifier === sourceIdentifier(orderId));
  }

  async function place(request: ShippingRequest): Promise<OrderBookResult> {
    const existing = await find(request.orderId);
    if (existing) {
      log.info({ orderId: request.orderId, shopOrder: existing.name }, "shopify: order already in the shop");
      return { ok: true };
    }
    const { productVariants } = await api.query<{
      productVariants: { nodes: { id: string; sku: string | null }[] };
    }>(FIND_VARIANT, { query: `sku:${quoted(request.sku)}` });
    const variant = productVariants.nodes.find((v) => v.sku?.toUpperCase() === request.sku.toUpperCase());
    if (!variant)
      return refused(request, [
        { field: ["sku"], message: `no variant with SKU ${request.sku} in the shop` },
      ]);
    const { orderCreate } = await api.mutate<{
      orderCreate: { order: { id: string; name: string } | null; userErrors: UserError[] };
    }>(CREATE_ORDER, {
      order: {
        lineItems: [{ variantId: variant.id, quantity: request.qty }],
        tags: ["crowdcart", orderTag(request.orderId)],
        sourceIdentifier: sourceIdentifier(request.orderId),
        note: request.groupCode
          ? `crowdcart group ${request.groupCode}, member ${request.user}`
          : `crowdcart cart checkout, member ${request.user}`,
        customAttributes: [
          { key: "crowdcart_order", value: request.orderId },
          { key: "crowdcart_group", value: request.groupCode ?? "" },
          { key: "crowdcart_member", value: request.user },
          { key: "crowdcart_region", value: request.region ?? "" },
        ],
      },
      // The shop's own payment and shipping follow; no receipt from a group buy still open.
      options: { sendReceipt: false, sendFulfillmentReceipt: false },
    });
    if (orderCreate.userErrors.length > 0 || !orderCreate.order)
      return refused(request, orderCreate.userErrors);
    log.info({ orderId: request.orderId, shopOrder: orderCreate.order.name }, "shopify: order created");
    return { ok: true };
  }

  async function cancel(request: ShippingRequest): Promise<OrderBookResult> {
    const existing = await find(request.orderId);
    // Never made in the shop, or already cancelled there: nothing left to undo.
    if (!existing || existing.cancelledAt) return { ok: true };
    const { orderCancel } = await api.mutate<{ orderCancel: { orderCancelUserErrors: UserError[] } }>(
      CANCEL_ORDER,
      {
        orderId: existing.id,
        reason: "OTHER",
        restock: true,
        refundMethod: { originalPaymentMethodsRefund: true },
        notifyCustomer: false,
        staffNote: request.groupCode
          ? `crowdcart group ${request.groupCode} did not complete`
          : "cancelled in crowdcart",
      },
    );
    if (orderCancel.orderCancelUserErrors.length > 0) {
      // Cancelled meanwhile (by staff, or by an earlier try whose job just finished): done.
      if ((await find(request.orderId))?.cancelledAt) return { ok: true };
      return refused(request, orderCancel.orderCancelUserErrors);
    }
    log.info({ orderId: request.orderId, shopOrder: existing.name }, "shopify: order cancelled");
    return { ok: true };
  }

  /**
   * The shop refused the order as it is (an unknown SKU, a bad quantity). Trying again at once
   * cannot help, so there is no retry here; the outbox tries again on its slow back-off, which
   * lets a fix in the shop (the SKU added back) go through.
   */
  function refused(request: ShippingRequest, errors: UserError[]): OrderBookResult {
    const reason = errors.map((e) => `${e.field?.join(".") ?? "order"}: ${e.message}`).join("; ");
    log.warn({ orderId: request.orderId, status: request.status, errors }, "shopify: order refused");
    return { ok: false, reason: `shopify refused the order: ${reason}` };
  }

  // A delivery whose lease ran out while it waited on the shop can be tried again beside itself;
  // one at a time per order, the second finds what the first made.
  const oneAtATime = new KeyedLock();

  return {
    configured: true,
    async deliver(request) {
      try {
        return await oneAtATime.run(request.orderId, () =>
          request.status === "requested" ? place(request) : cancel(request),
        );
      } catch (error) {
        if (!(error instanceof ShopifyApiError)) throw error;
        return {
          ok: false,
          reason: error.message,
          ...(error.retryAfterMs ? { retryAfterMs: error.retryAfterMs } : {}),
        };
      }
    },
  };
}

function sourceIdentifier(orderId: string): string {
  return `crowdcart:${orderId}`;
}

/** Tags are at most 40 characters; an order id is 20. */
function orderTag(orderId: string): string {
  return `crowdcart-${orderId}`;
}

/** A value in Shopify's search syntax, quoted so `-`, `:` and spaces are not read as syntax. */
function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}
