import { createHmac, timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Mount } from "../../app";
import type { Logger } from "../../logger";
import { readBody } from "../../read-body";

/** Shopify's product webhooks are a few KB; anything near this is not from Shopify. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/** The topics after which the catalog is read again; any other is acknowledged and ignored. */
const PRODUCT_TOPICS = new Set(["products/create", "products/update", "products/delete"]);

/**
 * Shopify's signature: the base64 HMAC-SHA256 of the raw body with the webhook secret, compared
 * in constant time. The raw bytes matter: a re-serialised body would not match.
 */
export function verifyShopifyHmac(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header || !/^[A-Za-z0-9+/]{43}=$/.test(header)) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(header, "base64"));
}

/**
 * `POST /shopify/webhook`: verified before anything else is read from the request (401 and
 * nothing happens when it fails), then a product topic asks for the catalog to be read again.
 * The answer goes at once (Shopify waits five seconds at most); the reading runs on its own, and
 * a delivery Shopify repeats only asks for another reading, which changes nothing new.
 */
export function shopifyWebhookMount(secret: string, onProductsChanged: () => void, log: Logger): Mount {
  return {
    path: "/shopify/webhook",
    post: (req, res) => {
      readBody(req, BODY_LIMIT_BYTES).then(
        (rawBody) => {
          if (!rawBody) return answer(res, 413, "Request body too large.");
          if (!verifyShopifyHmac(secret, rawBody, header(req.headers["x-shopify-hmac-sha256"]))) {
            log.warn(
              { webhookId: header(req.headers["x-shopify-webhook-id"]) },
              "shopify: webhook refused (bad HMAC)",
            );
            return answer(res, 401, "Invalid or missing Shopify HMAC.");
          }
          const topic = header(req.headers["x-shopify-topic"]);
          const webhookId = header(req.headers["x-shopify-webhook-id"]);
          if (topic && PRODUCT_TOPICS.has(topic)) {
            log.info({ topic, webhookId }, "shopify: products changed, reading the catalog again");
            try {
              onProductsChanged();
            } catch (error) {
              log.error({ err: error, topic }, "shopify: catalog refresh could not start");
            }
          }
          answer(res, 200, "");
        },
        () => res.destroy(),
      );
    },
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
