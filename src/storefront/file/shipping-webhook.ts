import { createHmac } from "node:crypto";
import type { OrderBook, OrderBookResult, ShippingRequest } from "../port";

/** Where shipping requests go (FULFILLMENT_WEBHOOK_URL) and the secret that signs them. */
export interface Fulfillment {
  url: string;
  secret: string;
}

function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A cancellation is a second request of the same order: it needs a key of its own. */
function idempotencyKeyOf(request: ShippingRequest): string {
  return request.status === "requested" ? request.orderId : `${request.orderId}:cancelled`;
}

/**
 * Orders as signed shipping requests POSTed to the shop's own receiver (README "Shipping
 * requests"). Without a URL there is nowhere to send them: they are held until one is configured.
 */
export function shippingWebhook(fulfillment: Fulfillment | undefined, timeoutMs = 10_000): OrderBook {
  return {
    configured: fulfillment !== undefined,
    deliver: async (request, body) =>
      fulfillment
        ? postShippingRequest(fulfillment, body, idempotencyKeyOf(request), timeoutMs)
        : { ok: false, reason: "FULFILLMENT_WEBHOOK_URL is unset" },
  };
}

/** POSTs one shipping request. Anything but a 2xx is retried by the caller. */
async function postShippingRequest(
  fulfillment: Fulfillment,
  body: string,
  idempotencyKey: string,
  timeoutMs: number,
): Promise<OrderBookResult> {
  try {
    const response = await fetch(fulfillment.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Crowdcart-Signature": signBody(body, fulfillment.secret),
        "Idempotency-Key": idempotencyKey,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection is reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { ok: true };
    const retryAfter = Number(response.headers.get("retry-after"));
    return {
      ok: false,
      reason: `HTTP ${response.status}`,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
