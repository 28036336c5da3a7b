import type { Mount } from "./app";
import type { Config } from "./config";
import type { Engine } from "./engine";
import type { Logger } from "./logger";
import { demoPayments } from "./payments/demo";
import { noPayments } from "./payments/none";
import type { PaymentProvider } from "./payments/port";
import { stripeClient, stripePayments } from "./payments/stripe";
import { stripeWebhook } from "./payments/stripe-webhook";
import { createDemoPayRouter } from "./web/pay-routes";
import { webhookOff } from "./webhook-off";

/** The provider PAYMENTS chose. */
export function paymentProvider(config: Config["payments"], publicUrl: () => string): PaymentProvider {
  if (config.provider === "stripe" && config.stripe) return stripePayments(config.stripe);
  if (config.provider === "demo") return demoPayments(publicUrl);
  return noPayments;
}

/** What the provider serves: Stripe's webhook, or the demo's pretend checkout. */
export function paymentMounts(config: Config["payments"], engine: Engine, log: Logger): Mount[] {
  const { payments } = engine;
  if (config.provider === "stripe" && config.stripe) {
    const stripe = stripeClient(config.stripe);
    const apply = (report: Parameters<typeof payments.apply>[0]) => payments.apply(report);
    return [
      { path: "/stripe/webhook", post: stripeWebhook(stripe, config.stripe.webhookSecret, apply, log) },
    ];
  }
  const stripeOff: Mount = {
    path: "/stripe/webhook",
    post: webhookOff(400, "Payments through Stripe are not on here (PAYMENTS=stripe): nothing was changed."),
  };
  if (config.provider !== "demo") return [stripeOff];
  const router = createDemoPayRouter(
    {
      async find(checkoutId) {
        const cart = await payments.carts.cartOfCheckout(checkoutId);
        const paid = cart?.payment;
        if (cart && paid) {
          return {
            checkoutId,
            description: cart.lines.map((line) => `${line.qty} × ${line.name} (${line.sku})`).join(", "),
            amount: paid.amount,
            currency: paid.currency,
            capture: "automatic",
            state: paid.state === "expired" ? "closed" : paid.state === "paid" ? "paid" : "awaiting",
            returnUrl: "/",
          };
        }
        const order = await payments.orderOfCheckout(checkoutId);
        const payment = order?.payment;
        if (!order || !payment) return null;
        const state =
          order.status !== "placed" ? "closed" : payment.state === "captured" ? "authorized" : payment.state;
        return {
          checkoutId,
          description: `${order.qty} × ${order.name} (${order.sku})`,
          amount: order.total,
          currency: order.currency,
          capture: payment.capture,
          state: state === "authorized" || state === "paid" || state === "awaiting" ? state : "closed",
          returnUrl: order.groupCode ? `/g/${order.groupCode}` : "/",
        };
      },
      async authorize(checkoutId) {
        const cart = await payments.carts.cartOfCheckout(checkoutId);
        if (cart?.payment) {
          await payments.apply({
            eventId: `demo:${checkoutId}`,
            kind: "paid",
            cartCheckoutId: cart.payment.id,
            checkoutId,
            paymentId: `demo_payment_${checkoutId.slice(5)}`,
            amount: cart.payment.amount,
            currency: cart.payment.currency,
          });
          return;
        }
        const order = await payments.orderOfCheckout(checkoutId);
        if (!order?.payment) return;
        await payments.apply({
          eventId: `demo:${checkoutId}`,
          kind: order.payment.capture === "manual" ? "authorized" : "paid",
          orderId: order._id,
          checkoutId,
          paymentId: `demo_payment_${checkoutId.slice(5)}`,
          amount: order.total,
          currency: order.currency,
        });
      },
    },
    log,
  );
  return [stripeOff, { path: "/pay", router }];
}
