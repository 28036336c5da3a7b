import type { RequestListener } from "node:http";
import type Stripe from "stripe";
import type { Logger } from "../logger";
import { readBody } from "../read-body";
import type { PaymentReport } from "./port";
import { reportOfSession } from "./stripe";

/** Stripe's events are a few kilobytes; anything far larger is not one. */
const BODY_LIMIT = 256 * 1024;

/** What the engine does with a verified report (applied once by its event id). */
export type ReportHandler = (report: PaymentReport) => Promise<unknown>;

/**
 * `POST /stripe/webhook`: the raw bytes are verified with the endpoint's secret before anything is
 * parsed, so a forged or replayed-too-late event gets 400 and changes nothing. A Checkout Session's
 * completion is believed only from its PaymentIntent as Stripe tells it now (held, or paid). When
 * crowdcart cannot handle it now (its database or Stripe unreachable) it answers 503, so Stripe
 * delivers the event again.
 */
export function stripeWebhook(
  stripe: Stripe,
  secret: string,
  onReport: ReportHandler,
  log: Logger,
): RequestListener {
  return async (req, res) => {
    const answer = (status: number, text: string) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
    };
    let event: Stripe.Event;
    try {
      const body = await readBody(req, BODY_LIMIT);
      if (!body) return answer(413, "Request body too large.");
      const signature = req.headers["stripe-signature"];
      if (typeof signature !== "string") return answer(400, "Missing Stripe-Signature header.");
      event = stripe.webhooks.constructEvent(body, signature, secret);
    } catch {
      log.warn({ path: "/stripe/webhook" }, "stripe webhook: signature did not verify; ignored");
      return answer(400, "Signature did not verify.");
    }
    try {
      const report = await reportOf(stripe, event);
      if (report) await onReport(report);
      answer(200, "ok");
    } catch (error) {
      log.warn(
        { err: error, eventId: event.id, type: event.type },
        "stripe webhook: not handled; Stripe will retry",
      );
      answer(503, "Not handled now; please retry.");
    }
  };
}

/** The report an event carries, or null for events crowdcart does not act on. */
async function reportOf(stripe: Stripe, event: Stripe.Event): Promise<PaymentReport | null> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.expired":
      return reportOfSession(stripe, event.id, event.data.object);
    default:
      return null;
  }
}
