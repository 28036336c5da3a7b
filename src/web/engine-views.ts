import type { Carts } from "../engine/cart";
import type { CodeAccess } from "../engine/cart/types";
import { isUserError } from "../engine/errors";
import type { Groups, GroupView } from "../engine/groups";
import type { CartPageOutcome, CartViews, GroupPageModel, GroupViews, WebSender } from "./model";

/**
 * The engine's group and cart views in the pages' terms. A UserError from the engine here means
 * "no such code" (unknown or malformed): the page answers 404. Anything else (the database down)
 * propagates.
 */
export function engineGroupViews(groups: Pick<Groups, "view" | "exportOrders">): GroupViews {
  return {
    async orders(code, token, sender) {
      try {
        return await groups.exportOrders(code, token, `web:${sender.ip}`);
      } catch (error) {
        if (isUserError(error)) return undefined;
        throw error;
      }
    },
    async view(code, { memberToken, countAccess, sender }) {
      try {
        return toGroupPage(
          await groups.view(code, {
            memberToken,
            countAccess,
            ...(sender ? { sender: `web:${sender.ip}` } : {}),
          }),
        );
      } catch (error) {
        if (isUserError(error)) return undefined;
        throw error;
      }
    },
  };
}

export function toGroupPage(view: GroupView): GroupPageModel {
  const me = view.me;
  return {
    code: view.code,
    state: view.state === "complete" ? "completed" : view.state,
    product: view.product,
    tiers: view.tiers.map(({ members, percentOff }) => ({ members, percentOff })),
    memberCount: view.memberCount,
    target: view.target,
    cap: view.cap,
    expiresAt: view.expiresAt,
    organiser: view.organiser,
    members: view.members.map(({ displayName, platform }) => ({ displayName, platform })),
    ...(view.waiting > 0 && { waiting: view.waiting }),
    ...(view.sibling && { sibling: view.sibling.code }),
    ...(view.origin && { origin: view.origin.code }),
    ...(me && {
      you: {
        displayName: me.displayName,
        joined: me.joined,
        orders: me.orders
          .filter((o) => o.status !== "cancelled")
          .map(({ sku, name, qty, payment, currency }) => ({
            sku,
            name,
            qty,
            ...(payment && { payment: { ...payment, currency } }),
          })),
        unreachable: me.couldNotDm !== null,
      },
    }),
  };
}

export function engineCartViews(carts: Pick<Carts, "viewByCode">): CartViews {
  return {
    async viewByCode(code: string, sender: WebSender): Promise<CartPageOutcome> {
      let access: CodeAccess;
      try {
        access = await carts.viewByCode(code, `web:${sender.ip}`);
      } catch (error) {
        if (isUserError(error)) return { kind: "not_found", message: error.message, delayMs: 0 };
        throw error;
      }
      switch (access.kind) {
        case "ok":
          return {
            kind: "ok",
            cart: {
              code: access.cart.code,
              lines: access.cart.lines,
              totals: access.cart.totals,
              expiresAt: access.cart.expiresAt,
              ...(access.cart.payment && { payment: access.cart.payment }),
            },
          };
        // The cart service has already held an improper access back: nothing left to wait.
        case "improper":
          return { kind: "improper", message: access.message, delayMs: 0 };
        case "rate_limited":
          return {
            kind: "rate_limited",
            message: access.message,
            delayMs: 0,
            retryAfterMs: access.retryAfterMs,
          };
        case "closed":
          return {
            kind: "closed",
            message: access.message,
            delayMs: 0,
            ...(access.payments && {
              payments: access.payments.map(({ name, qty, total, currency, state }) => ({
                name,
                qty,
                total,
                currency,
                state,
              })),
            }),
          };
        default:
          return { kind: access.kind, message: access.message, delayMs: 0 };
      }
    },
  };
}
