import type { CartSessionStatus } from "../../../models/cart-session";

export interface CartLineView {
  sku: string;
  name: string;
  qty: number;
  /** Integer minor units of `currency`. */
  unitPrice: number;
  currency: string;
  lineTotal: number;
}

/** One total per currency: a cart may mix products priced in different currencies. */
export interface CartTotal {
  currency: string;
  amount: number;
}

/** What every cart reply and the `/s/<code>` page show. */
export interface CartView {
  /** `<serial>-<token>`: the whole session code, to show to the holder. */
  code: string;
  /** `PUBLIC_URL/s/<code>`. */
  url: string;
  serial: string;
  status: CartSessionStatus;
  lines: CartLineView[];
  totals: CartTotal[];
  totalQty: number;
  issuedAt: Date;
  lastActivityAt: Date;
  expiresAt: Date;
  /** The user key of the person who started the cart. */
  ownerKey: string;
  /** With payments on, while the cart is checked out and awaiting payment (`status` is `paying`). */
  payment?: CartPaymentView;
}

/** A cart reached without a code (`/cart`, `/cart add`): the caller's current cart. */
export interface CurrentCart extends CartView {
  /** True when this call issued the session (first access, or the previous one ended). */
  issued: boolean;
  /** Why the caller's previous session no longer applies, when this call replaced it. */
  replaced?: "expired" | "checked_out";
  /** True when this chat event had already changed the cart (a retry): nothing was changed now. */
  replayed?: boolean;
}

export interface CheckoutResult {
  /** The session as closed: its code no longer opens a cart. */
  cart: CartView;
  orders: {
    orderId: string;
    sku: string;
    qty: number;
    total: number;
    currency: string;
  }[];
  /**
   * With payments on: the one checkout that pays for the whole cart (`url` null: the link comes
   * by DM). `orders` is then empty: they are placed when it is paid.
   */
  payment?: CartPaymentView;
}

/** A cart's checkout awaiting payment, as replies and the cart's page show it. */
export interface CartPaymentView {
  url: string | null;
  amount: number;
  currency: string;
  dueBy: Date;
}

/**
 * The outcome of presenting a session code (`/cart resume`, the `/s/<code>` page). Everything
 * but `ok` carries the one line to show; `improper` also the delay already applied to this reply.
 */
export type CodeAccess =
  | { kind: "ok"; cart: CartView }
  | { kind: "not_found"; message: string }
  | { kind: "expired"; message: string }
  | {
      kind: "closed";
      message: string;
      /** The orders it was checked out into; with payments on, each with where its money stands. */
      orderIds?: string[];
      payments?: CheckedOutPayment[];
    }
  | {
      kind: "improper";
      message: string;
      /** Improper attempts on the code so far (this one included). */
      attempts: number;
      /** How long this reply was held back (already waited through the injected sleep). */
      delayMs: number;
      /** True when this attempt reached the limit: the code was retired and the owner sent a new one. */
      retired: boolean;
    }
  | { kind: "rate_limited"; message: string; retryAfterMs: number };

/** One order of a paid cart, with payments on: paid, or refunded since. */
export interface CheckedOutPayment {
  orderId: string;
  name: string;
  qty: number;
  total: number;
  currency: string;
  state: string;
}
