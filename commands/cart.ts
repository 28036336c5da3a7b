import type { CommandDefinition } from "../src/chat/command";
import type { CartView, CodeAccess } from "../src/engine/cart/types";
import { UserError, type UserErrorCode } from "../src/engine/errors";
import { formatMoney, formatUtcDigits } from "../src/format";
import { qtyArg, skuArg } from "./shared";

export const cartCommand: CommandDefinition = {
  name: "cart",
  description: "Your own cart session: show, add, remove, checkout or resume by code",
  visibility: "private",
  examples: [
    "/cart",
    "/cart add KB-75 qty=2",
    "/cart remove KB-75",
    "/cart checkout",
    "/cart resume <sessionCode>",
  ],
  defaultSubcommand: "show",
  subcommands: [
    {
      name: "show",
      description: "Show your cart, starting a session if you have none",
      async run({ engine, user }) {
        const cart = await engine.carts.show(user);
        return renderCart(cart, replacedNote(cart.replaced));
      },
    },
    {
      name: "add",
      description: "Add a product to your cart",
      args: [skuArg("The product to add", true), qtyArg],
      replay: "in-effect",
      async run({ engine, user, eventKey }, args) {
        const cart = await engine.carts.add(user, args.requiredString("sku"), args.number("qty"), eventKey);
        return { text: renderCart(cart, replacedNote(cart.replaced)), replayed: Boolean(cart.replayed) };
      },
    },
    {
      name: "remove",
      description: "Remove a product (or qty of it) from your cart",
      replay: "in-effect",
      args: [
        skuArg("The product to remove", true),
        { ...qtyArg, description: "How many to remove (default: all)" },
      ],
      async run({ engine, user, eventKey }, args) {
        const cart = await engine.carts.remove(
          user,
          args.requiredString("sku"),
          args.number("qty"),
          eventKey,
        );
        return { text: renderCart(cart), replayed: Boolean(cart.replayed) };
      },
    },
    {
      name: "checkout",
      description: "Order everything in your cart",
      async run({ engine, user }) {
        const { cart, orders, payment } = await engine.carts.checkout(user);
        if (payment) {
          return [
            `Checked out session ${cart.serial}: pay ${formatMoney(payment.amount, payment.currency)} by ${formatUtcDigits(payment.dueBy)} for its ${cart.lines.length} line(s); the orders are placed and shipped once paid.`,
            payment.url ? `Pay: ${payment.url}` : "The payment link is on its way by DM.",
            `Until then the cart is locked; unpaid, it opens again. ${cart.url}`,
          ].join("\n");
        }
        const lines = orders.map(
          (o) => `• ${o.qty} × ${o.sku}: ${formatMoney(o.total, o.currency)} (order ${o.orderId})`,
        );
        return [
          `Checked out session ${cart.serial}: ${orders.length} order(s) placed, shipping requested.`,
          ...lines,
          cart.url,
        ].join("\n");
      },
    },
    {
      name: "resume",
      description: "Continue a cart by its session code (from any device or platform)",
      args: [
        {
          name: "code",
          type: "code",
          positional: true,
          required: true,
          placeholder: "sessionCode",
          description: "The session code shown with your cart",
        },
      ],
      async run({ engine, user }, args) {
        const access = await engine.carts.resume(user, args.requiredString("code"));
        if (access.kind !== "ok") throw accessError(access);
        return renderCart(access.cart, "Resumed this cart: /cart add and /cart checkout now work on it.");
      },
    },
  ],
};

function replacedNote(replaced: "expired" | "checked_out" | undefined): string | undefined {
  if (replaced === "expired") return "Your previous cart expired; this is a new one.";
  if (replaced === "checked_out") return "Your previous cart was checked out; this is a new one.";
  return undefined;
}

/** The code of each way a presented session code can fail; the line is the one the access carries. */
const ACCESS_ERRORS = {
  not_found: "CART_NOT_FOUND",
  expired: "CART_EXPIRED",
  closed: "CART_CLOSED",
  improper: "CART_IMPROPER",
  rate_limited: "CART_RATE_LIMITED",
} as const satisfies Record<Exclude<CodeAccess, { kind: "ok" }>["kind"], UserErrorCode>;

function accessError(access: Exclude<CodeAccess, { kind: "ok" }>): UserError {
  return new UserError(ACCESS_ERRORS[access.kind], access.message);
}

export function renderCart(cart: CartView, note?: string): string {
  const lines = note ? [note] : [];
  lines.push(`Your cart — session ${cart.code}`);
  if (cart.lines.length === 0) lines.push("It is empty: add something with /cart add <sku> [qty=<n>].");
  for (const l of cart.lines) {
    lines.push(`• ${l.qty} × ${l.name} (${l.sku}): ${formatMoney(l.lineTotal, l.currency)}`);
  }
  const totals = cart.totals.map((t) => formatMoney(t.amount, t.currency)).join(" + ");
  const { payment } = cart;
  if (payment) {
    // Checked out, awaiting its money: the way to pay, and until when the cart stays locked.
    lines.push(`Total: ${totals} for ${cart.totalQty} item(s), checked out and waiting for payment.`);
    lines.push(payment.url ? `Pay: ${payment.url}` : "The payment link is on its way by DM.");
    lines.push(
      `Locked until it is paid; unpaid, it opens again at ${formatUtcDigits(payment.dueBy)}. ${cart.url}`,
    );
    return lines.join("\n");
  }
  if (cart.lines.length) {
    lines.push(`Total: ${totals} for ${cart.totalQty} item(s). Check out with /cart checkout.`);
  }
  lines.push(`Expires ${formatUtcDigits(cart.expiresAt)} without activity. ${cart.url}`);
  return lines.join("\n");
}
