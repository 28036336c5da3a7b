import type { Platform } from "../kernel";

/**
 * What the pages need, in the pages' own words. The engine's view models are mapped onto these in
 * `engine-views.ts`, so a renamed engine field touches one file, and tests can drive the pages with
 * plain objects.
 */
export type GroupPageState = "open" | "completed" | "failed" | "expired";

export interface GroupPageModel {
  code: string;
  state: GroupPageState;
  product: { sku: string; name: string; price: number; currency: string };
  /** Ascending by `members`. */
  tiers: { members: number; percentOff: number }[];
  memberCount: number;
  /** Members needed for the group to go ahead. */
  target: number;
  /** The group closes when it reaches this many. */
  cap: number;
  expiresAt: Date;
  organiser?: { displayName: string; platform: Platform };
  /** Display name and platform only: contact details and orders stay with the organiser. */
  members: { displayName: string; platform: Platform }[];
  /** How many wait for a place in this full group. */
  waiting?: number;
  /** The code of the group opened for this group's waitlist. */
  sibling?: string;
  /** The code of the full group whose waitlist this group was opened for. */
  origin?: string;
  /** Present when the page was opened with a valid personal member token. */
  you?: {
    displayName: string;
    joined: boolean;
    joinedAt?: Date;
    /** Their own orders in this group, when they joined; `payment` with payments on. */
    orders: {
      sku: string;
      name: string;
      qty: number;
      payment?: { state: string; payUrl: string | null; charged: number; currency: string };
    }[];
    /** Set when DMs to them could not be delivered (e.g. a Telegram user who never started the bot). */
    unreachable?: boolean;
  };
}

export interface GroupViewOptions {
  /** The personal token from `?m=`. */
  memberToken?: string;
  /**
   * True when a person opened the page (counts as the member's access for the reminder rule);
   * false for the JSON twin and the page's own live polling.
   */
  countAccess: boolean;
  /** Who asked: unknown group codes count against them, like unknown session codes. */
  sender?: WebSender;
}

export interface GroupViews {
  /** `undefined` when no group has this code. */
  view(code: string, options: GroupViewOptions): Promise<GroupPageModel | undefined>;
  /**
   * The organiser's export for the holder of its token; `undefined` for a wrong or missing token
   * exactly as for an unknown code (both count against the sender).
   */
  orders(code: string, token: string | undefined, sender: WebSender): Promise<GroupExportModel | undefined>;
}

/** Every order of a group, for the organiser's CSV. */
export interface GroupExportModel {
  code: string;
  orders: {
    orderId: string;
    member: string;
    platform: Platform;
    productName: string;
    sku: string;
    qty: number;
    /** Minor units of `currency`. */
    unitPrice: number;
    currency: string;
    /** The tier the group reached; null below the first tier or when it failed. */
    tier: { members: number; percentOff: number } | null;
    /** Points credited for the order once the group completed; null before. */
    points: number | null;
    region: string | null;
    email: string | null;
    state: "placed" | "cancelled";
    /** With payments on: where the order's money stands and what was charged (minor units). */
    payment?: { state: string; charged: number } | undefined;
  }[];
}

export interface CartPageModel {
  code: string;
  lines: { sku: string; name: string; qty: number; unitPrice: number; lineTotal: number; currency: string }[];
  /** One total per currency (a catalog may mix currencies). */
  totals: { currency: string; amount: number }[];
  expiresAt: Date;
  /** With payments on, while the cart is checked out and awaiting payment: where to pay, and until when. */
  payment?: { url: string | null; amount: number; currency: string; dueBy: Date };
}

/** Who asked for a cart page: the cart service counts misses per sender. */
export interface WebSender {
  ip: string;
}

/**
 * What presenting a session code gave. `message` is the cart service's one line (the same as in
 * chat); `delayMs` is what the page must still wait before answering (0 when the service already
 * held the reply back itself).
 */
export type CartPageOutcome =
  | { kind: "ok"; cart: CartPageModel }
  /** A half-matching code: counted by the service; the page shows `message` as a warning. */
  | { kind: "improper"; message: string; delayMs: number }
  | { kind: "not_found"; message: string; delayMs: number }
  | { kind: "expired"; message: string; delayMs: number }
  /** Checked out: the code no longer opens the cart. */
  | {
      kind: "closed";
      message: string;
      delayMs: number;
      /** With payments on: each order of the cart and where its money stands (a Pay button while unpaid). */
      payments?: CheckedOutPaymentModel[];
    }
  /** The sender presented too many codes that matched nothing. */
  | { kind: "rate_limited"; message: string; delayMs: number; retryAfterMs: number };

export interface CartViews {
  viewByCode(code: string, sender: WebSender): Promise<CartPageOutcome>;
}

export interface CheckedOutPaymentModel {
  name: string;
  qty: number;
  total: number;
  currency: string;
  state: string;
}
