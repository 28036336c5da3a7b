export { demoPayments } from "./demo";
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
