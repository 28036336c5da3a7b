/**
 * What the engine asks of a payment provider (PAYMENTS), and what a provider reports back. The
 * engine keeps every payment's state in the order; a provider only moves money and tells what
 * happened. Every call that moves money carries the key `<orderId>:<action>`, so a retried call
 * (the outbox delivering again after a crash) has the effect of one.
 */
export interface PaymentProvider {
  /** The PAYMENTS value that chose it. */
  readonly id: "none" | "stripe" | "demo";
  /** False for `none`: the shop bills separately and discounts are paid back as points. */
  readonly takesMoney: boolean;
  /** Opens a checkout for one order (a hold) or a whole cart (a charge), answering where the member pays. */
  openCheckout(request: CheckoutRequest): Promise<Checkout>;
  /**
   * Ends a checkout nobody paid (its window is over), so it can no longer be paid. Here and below,
   * `orderId` is the id the checkout's calls are keyed by: an order's, or a cart checkout's.
   */
  expireCheckout(orderId: string, checkoutId: string): Promise<void>;
  /** Takes `amount` (at most what was held) of an authorized payment; the rest of the hold is released. */
  capture(orderId: string, paymentId: string, amount: number): Promise<void>;
  /** Releases an authorized hold without taking anything. */
  release(orderId: string, paymentId: string): Promise<void>;
  /** Pays a captured amount back. */
  refund(orderId: string, paymentId: string, amount: number): Promise<void>;
  /** The checkout as the provider knows it now: what start-up reconciliation asks of a checkout left unrecorded. */
  lookup(checkoutId: string): Promise<PaymentReport | null>;
}

export interface CheckoutRequest {
  /**
   * What is paid for: one order (a group's hold), or a whole cart's checkout (a `cart_…` id).
   * It names the checkout to the provider (metadata) and prefixes every Idempotency-Key.
   */
  payFor: { orderId: string } | { cartCheckoutId: string };
  /** What the member reads on the checkout page, one line per product. */
  lines: CheckoutLine[];
  /** Minor units, in `currency`: the sum of the lines. */
  amount: number;
  currency: string;
  /** `manual`: a hold captured when the group completes; `automatic`: paid at once (a cart). */
  capture: "manual" | "automatic";
  /** When the checkout stops taking payment: the end of the payment window. */
  expiresAt: Date;
  /** The payment window's length (PAYMENT_WINDOW). */
  windowMs: number;
  /** Where the member lands after paying or giving up (their personal page). */
  returnUrl: string;
}

export interface CheckoutLine {
  description: string;
  unitAmount: number;
  qty: number;
}

/** The id a checkout's provider calls are keyed by: its order's, or its cart checkout's. */
export function payForId(payFor: CheckoutRequest["payFor"]): string {
  return "orderId" in payFor ? payFor.orderId : payFor.cartCheckoutId;
}

export interface Checkout {
  id: string;
  url: string;
}

/**
 * A provider's report of one checkout, from a verified webhook event or a lookup: `authorized`
 * (a hold in place, to capture later), `paid` (captured at once), `expired` (never paid).
 */
export interface PaymentReport {
  /** The provider's event id; reports with one already handled change nothing. */
  eventId: string;
  kind: "authorized" | "paid" | "expired";
  /** The order paid for; absent for a cart's checkout, which `cartCheckoutId` names instead. */
  orderId?: string;
  cartCheckoutId?: string;
  checkoutId: string;
  /** The payment to capture, release or refund; null for an expired checkout. */
  paymentId: string | null;
  /** What the provider holds or took, to be checked against the order. */
  amount: number;
  currency: string;
}

/** A provider call refused for good (a card declined, a payment in the wrong state): retrying will not help. */
export class PaymentRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PaymentRefused";
  }
}
