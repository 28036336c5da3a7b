import Stripe from "stripe";
import {
  type Checkout,
  type CheckoutRequest,
  type PaymentProvider,
  PaymentRefused,
  type PaymentReport,
  payForId,
} from "./port";

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** STRIPE_API_URL: another API base (a local fake in tests); unset = Stripe's. */
  apiUrl?: string | undefined;
}

/**
 * Stripe will not let a Checkout Session expire sooner than 30 minutes after it is created: a
 * window at least this long is given to Stripe as the session's end, with room for a first call
 * the outbox makes a few minutes late.
 */
export const STRIPE_SHORTEST_WINDOW_MS = 35 * 60_000;

/** The SDK's own client, pointed at STRIPE_API_URL when set. */
export function stripeClient(settings: StripeSettings): Stripe {
  const base = settings.apiUrl ? new URL(settings.apiUrl) : undefined;
  return new Stripe(settings.secretKey, {
    // The SDK retries what Stripe marks retryable; the outbox retries the rest with its back-off.
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === "https:" ? 443 : 80),
          protocol: base.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });
}

/**
 * PAYMENTS=stripe: Checkout Sessions in payment mode; a group's order is a card hold
 * (`capture_method = manual`) captured for the final price, a cart is one session for all its
 * lines, paid at once.
 */
export function stripePayments(settings: StripeSettings): PaymentProvider {
  const stripe = stripeClient(settings);
  const key = (orderId: string, action: string) => ({ idempotencyKey: `${orderId}:${action}` });

  return {
    id: "stripe",
    takesMoney: true,

    async openCheckout(request: CheckoutRequest): Promise<Checkout> {
      // Counted from the request alone, never from now: a retry under the same Idempotency-Key
      // (its answer lost the first time) must send the same parameters, or Stripe refuses it. A
      // shorter window leaves Stripe's default end (24 hours); crowdcart closes the session itself
      // when the window ends, and money arriving after that is given back.
      const expiresAt =
        request.windowMs >= STRIPE_SHORTEST_WINDOW_MS
          ? Math.floor(request.expiresAt.getTime() / 1000)
          : undefined;
      const id = payForId(request.payFor);
      const metadata: Record<string, string> = { ...request.payFor };
      const session = await call(() =>
        stripe.checkout.sessions.create(
          {
            mode: "payment",
            client_reference_id: id,
            line_items: request.lines.map((line) => ({
              quantity: line.qty,
              price_data: {
                currency: request.currency.toLowerCase(),
                unit_amount: line.unitAmount,
                product_data: { name: line.description },
              },
            })),
            payment_intent_data: { capture_method: request.capture, metadata },
            metadata,
            ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
            success_url: request.returnUrl,
            cancel_url: request.returnUrl,
          },
          key(id, "checkout"),
        ),
      );
      if (!session?.url) throw new Error("Stripe returned a checkout session without a URL");
      return { id: session.id, url: session.url };
    },

    async expireCheckout(orderId, checkoutId) {
      await call(
        () => stripe.checkout.sessions.expire(checkoutId, {}, key(orderId, "expire")),
        [
          // Already complete or expired: nothing left to stop (a completed one is then released).
          "checkout_session_not_open",
        ],
      );
    },

    async capture(orderId, paymentId, amount) {
      await call(() =>
        stripe.paymentIntents.capture(paymentId, { amount_to_capture: amount }, key(orderId, "capture")),
      );
    },

    async release(orderId, paymentId) {
      await call(
        () =>
          stripe.paymentIntents.cancel(
            paymentId,
            { cancellation_reason: "abandoned" },
            key(orderId, "release"),
          ),
        ["payment_intent_unexpected_state"],
        async () => (await stripe.paymentIntents.retrieve(paymentId)).status === "canceled",
      );
    },

    async refund(orderId, paymentId, amount) {
      await call(() => stripe.refunds.create({ payment_intent: paymentId, amount }, key(orderId, "refund")));
    },

    async lookup(checkoutId) {
      const session = await stripe.checkout.sessions.retrieve(checkoutId);
      return reportOfSession(stripe, `lookup:${checkoutId}:${session.status}`, session);
    },
  };
}

/**
 * A Checkout Session turned into a report, reading its PaymentIntent: a session counts as
 * authorized only when its PaymentIntent is `requires_capture`, as paid when `succeeded`. Null when
 * it says neither (still open, or completed without the money in place).
 */
export async function reportOfSession(
  stripe: Stripe,
  eventId: string,
  session: Stripe.Checkout.Session,
): Promise<PaymentReport | null> {
  const { orderId, cartCheckoutId } = session.metadata ?? {};
  if (!orderId && !cartCheckoutId) return null;
  const base = {
    eventId,
    ...(orderId ? { orderId } : { cartCheckoutId }),
    checkoutId: session.id,
    currency: (session.currency ?? "").toUpperCase(),
  };
  if (session.status === "expired") return { ...base, kind: "expired", paymentId: null, amount: 0 };
  if (session.status !== "complete" || !session.payment_intent) return null;
  const intentId =
    typeof session.payment_intent === "string" ? session.payment_intent : session.payment_intent.id;
  const intent = await stripe.paymentIntents.retrieve(intentId);
  const currency = intent.currency.toUpperCase();
  if (intent.status === "requires_capture") {
    return { ...base, kind: "authorized", paymentId: intent.id, amount: intent.amount_capturable, currency };
  }
  if (intent.status === "succeeded") {
    return { ...base, kind: "paid", paymentId: intent.id, amount: intent.amount_received, currency };
  }
  return null;
}

/**
 * One SDK call. A refusal that retrying cannot change (a declined card, a request Stripe rejects)
 * becomes PaymentRefused; a refusal in `settled` whose `isDone` check says the goal is already
 * reached counts as success; anything else (network, 429, 5xx) is thrown for the outbox to retry.
 */
async function call<T>(
  fn: () => Promise<T>,
  settled: string[] = [],
  isDone: () => Promise<boolean> = async () => true,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    const code = error.code ?? error.type;
    if (settled.includes(code) && (await isDone())) return undefined;
    if (
      error instanceof Stripe.errors.StripeCardError ||
      error instanceof Stripe.errors.StripeInvalidRequestError ||
      error instanceof Stripe.errors.StripeIdempotencyError
    ) {
      throw new PaymentRefused(code, error.message);
    }
    throw error;
  }
}
