import { createHmac, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";

export interface Received {
  body: string;
  signature: string | undefined;
  idempotencyKey: string | undefined;
  validSignature: boolean;
}

export interface FulfillmentReceiver {
  url: string;
  received: Received[];
  close(): Promise<unknown>;
}

/**
 * A fulfillment partner on 127.0.0.1 that checks signatures like a real one would. `answers`
 * are the statuses of the next valid requests (200 once they run out).
 */
export async function startFulfillmentReceiver(
  secret: string,
  answers: number[] = [],
): Promise<FulfillmentReceiver> {
  const received: Received[] = [];
  const app = express();
  app.post("/ship", express.raw({ type: "application/json" }), (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
    const signature = req.get("x-crowdcart-signature");
    const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const validSignature =
      signature !== undefined &&
      signature.length === expected.length &&
      timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    received.push({ body, signature, idempotencyKey: req.get("idempotency-key"), validSignature });
    res.status(validSignature ? (answers.shift() ?? 200) : 401).end();
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/ship`, received, close: () => new Promise((r) => server.close(r)) };
}
