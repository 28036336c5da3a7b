import { createHmac } from "node:crypto";

export interface Fulfillment {
  url: string;
  secret: string;
}

export type WebhookResult = { ok: true } | { ok: false; reason: string; retryAfterMs?: number };

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** POSTs one shipping request (README "Shipping requests"). Anything but a 2xx is retried by the caller. */
export async function postShippingRequest(
  fulfillment: Fulfillment,
  body: string,
  idempotencyKey: string,
  timeoutMs = 10_000,
): Promise<WebhookResult> {
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
