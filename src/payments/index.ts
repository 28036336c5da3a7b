import { noPayments } from "./none";
import type { PaymentProvider } from "./port";
import { type StripeSettings, stripePayments } from "./stripe";

export { noPayments } from "./none";
export {
  type Checkout,
  type CheckoutRequest,
  type PaymentProvider,
  PaymentRefused,
  type PaymentReport,
} from "./port";
export { type StripeSettings, stripeClient, stripePayments } from "./stripe";
export { stripeWebhook } from "./stripe-webhook";

export interface PaymentSettings {
  provider: "none" | "stripe" | "demo";
  /** PAYMENT_WINDOW: how long a place is held for an unpaid order. */
  windowMs: number;
  stripe?: StripeSettings | undefined;
}

/** The provider PAYMENTS chose (the demo's is built by the engine, which serves its page). */
export function paymentProvider(settings: PaymentSettings): PaymentProvider {
  if (settings.provider === "stripe" && settings.stripe) return stripePayments(settings.stripe);
  return noPayments;
}
