import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Connection } from "mongoose";
import { silentLogger } from "../../src/logger";
import { stripeClient, stripePayments, stripeWebhook } from "../../src/payments";
import { engineOn, type Harness } from "../engine/support/harness";
import { type FakeStripe, startFakeStripe } from "./fake-stripe";

/** A payment window of 30 minutes, as PAYMENT_WINDOW's default. */
const WINDOW_MS = 30 * 60_000;

/**
 * The real engine with PAYMENTS=stripe: the real Stripe SDK against a local fake Stripe, whose
 * signed events reach the real webhook handler on a local port. Workers not started (see engineOn).
 */
export async function stripeEngine(
  connection: Connection,
  options: { secretKey: string; webhookSecret: string; catalogFile?: string },
): Promise<{ h: Harness; fake: FakeStripe; close(): Promise<void> }> {
  const { secretKey, webhookSecret } = options;
  const fake = await startFakeStripe({ secretKey, webhookSecret });
  const settings = { secretKey, webhookSecret, apiUrl: fake.url };
  const h = await engineOn(connection, {
    ...(options.catalogFile ? { catalogFile: options.catalogFile } : {}),
    payments: { provider: stripePayments(settings), windowMs: WINDOW_MS },
  });
  const receiver = createServer(
    stripeWebhook(
      stripeClient(settings),
      webhookSecret,
      (report) => h.engine.payments.apply(report),
      silentLogger,
    ),
  );
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  fake.webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/stripe/webhook`;
  return {
    h,
    fake,
    async close() {
      await new Promise((resolve) => receiver.close(resolve));
      await fake.close();
    },
  };
}
