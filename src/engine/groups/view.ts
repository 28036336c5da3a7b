import type { GroupDoc, OrderDoc, PaymentState, ProductDoc, Tier, UserDoc } from "../../../models";
import type { Platform } from "../../kernel";
import type { EngineContext } from "../context";
import { nextTier, reachedTier } from "../discount";
import { parseUserKey } from "../users";
import { normalizeGroupCode, tokensEqual } from "./code";
import { unknownGroup } from "./errors";
import { groupUrl, personalUrl } from "./messages";
import { offeredOf, waitingOf } from "./waiting";

export interface ViewOrderLine {
  orderId: string;
  sku: string;
  name: string;
  qty: number;
  total: number;
  currency: string;
  status: OrderDoc["status"];
  /** With payments on: where the money stands, the link to pay while awaiting, what was charged. */
  payment?: { state: PaymentState; payUrl: string | null; charged: number };
}

/** A plain view model of a group: what `/group` and the page `/g/<code>` show. */
export interface GroupView {
  code: string;
  url: string;
  state: GroupDoc["state"];
  product: { sku: string; name: string; price: number; currency: string };
  tiers: (Tier & { reached: boolean })[];
  reachedTier: Tier | null;
  nextTier: Tier | null;
  memberCount: number;
  /** Members needed (size). */
  target: number;
  /** Members at which the group closes (max). */
  cap: number;
  expiresAt: Date;
  createdAt: Date;
  closedAt: Date | null;
  /** Set when the organiser or an admin cancelled it: the reason they gave ("" for none). */
  cancelReason?: string | null;
  /** How many wait for a place (the group is full). */
  waiting: number;
  /** Places freed and held for the first on the waitlist until they take them. */
  offered: number;
  /** The group opened for its waitlist, and the full group this one was opened for. */
  sibling: { code: string; url: string } | null;
  origin: { code: string; url: string } | null;
  organiser: { displayName: string; platform: Platform };
  members: { displayName: string; platform: Platform; joinedAt: Date }[];
  viewer: { isOrganiser: boolean; isMember: boolean; isInvited: boolean };
  /** The member the personal link (or the viewer's identity) belongs to, when they were tagged. */
  me?: {
    displayName: string;
    joined: boolean;
    link: string;
    orders: ViewOrderLine[];
    /** Why DMs to them fail, when they do (shown on their page so they can open a chat with the bot). */
    couldNotDm: string | null;
  };
  /** Organiser only: every member's details and every tagged member's state. */
  details?: {
    members: {
      userKey: string;
      displayName: string;
      platform: Platform;
      region: string | null;
      email: string | null;
      couldNotDm: string | null;
      orders: ViewOrderLine[];
    }[];
    invited: { displayName: string; platform: Platform; joined: boolean; couldNotDm: string | null }[];
    /** Who waits for a place, in order. */
    waitlist: { displayName: string; platform: Platform; since: Date }[];
    /** Who holds an offer of a freed place, and until when. */
    offers: { displayName: string; platform: Platform; until: Date }[];
  };
  /** Organiser only (`/group`): the private link to the group's orders as CSV. */
  exportUrl?: string;
  /** Tagged members reminded because of this access (someone looked at a group they have not joined). */
  remindersSent: number;
}

export interface ViewOptions {
  viewerKey?: string;
  memberToken?: string;
  /** False for machine reads (the page's JSON twin and its live polling): no reminder is triggered. Default true. */
  countAccess?: boolean;
}

function line(order: OrderDoc): ViewOrderLine {
  return {
    orderId: order._id,
    sku: order.sku,
    name: order.name,
    qty: order.qty,
    total: order.total,
    currency: order.currency,
    status: order.status,
    ...(order.payment && {
      payment: {
        state: order.payment.state,
        payUrl:
          order.status === "placed" && order.payment.state === "awaiting" ? order.payment.checkoutUrl : null,
        charged: order.payment.charged,
      },
    }),
  };
}

export function createView(
  ctx: EngineContext,
  deps: {
    closeIfExpired: (group: GroupDoc) => Promise<GroupDoc | null>;
    remind: (group: GroupDoc, product: ProductDoc) => Promise<string[]>;
  },
) {
  const { Group, Product, User, Order } = ctx.models;

  return async function view(codeInput: string, options: ViewOptions = {}): Promise<GroupView> {
    const code = normalizeGroupCode(codeInput);
    if (!code) throw unknownGroup(codeInput);
    let group = await Group.findById(code).lean<GroupDoc>();
    if (!group) throw unknownGroup(codeInput);
    // The sweeper closes expired groups on its own; closing here too keeps a status exact between sweeps.
    if (group.state === "open" && group.expiresAt.getTime() <= ctx.clock.now().getTime()) {
      group = (await deps.closeIfExpired(group)) ?? (await Group.findById(code).lean<GroupDoc>()) ?? group;
    }
    const product = await Product.findById(group.sku.toUpperCase()).lean<ProductDoc>();
    const memberKeys = new Set(group.members.map((m) => m.userKey));
    const tokenInvite = options.memberToken
      ? group.invites.find((invite) => tokensEqual(invite.token, options.memberToken ?? ""))
      : undefined;
    const viewerInvite =
      tokenInvite ??
      group.invites.find((invite) => options.viewerKey && invite.userKey === options.viewerKey);
    const isOrganiser = options.viewerKey === group.organiserKey;

    let remindersSent = 0;
    if (viewerInvite && options.countAccess !== false && !memberKeys.has(viewerInvite.userKey) && product) {
      remindersSent = (await deps.remind(group, product)).length;
    }

    const waiting = waitingOf(group);
    const offered = offeredOf(group);
    const keys = [
      group.organiserKey,
      ...memberKeys,
      ...group.invites.map((i) => i.userKey),
      ...(isOrganiser ? [...offered, ...waiting].map((w) => w.userKey) : []),
    ];
    const users = new Map((await User.find({ _id: { $in: keys } }).lean<UserDoc[]>()).map((u) => [u._id, u]));
    const nameOf = (key: string) => users.get(key)?.displayName ?? parseUserKey(key).id;
    const platformOf = (key: string) => parseUserKey(key).platform;
    const needOrders = isOrganiser || viewerInvite !== undefined;
    const orders = needOrders ? await Order.find({ groupCode: code }).lean<OrderDoc[]>() : [];
    const ordersOf = (key: string) => orders.filter((o) => o.userKey === key).map(line);

    const tiers = product?.tiers ?? [];
    const reached = reachedTier(tiers, group.memberCount);
    const result: GroupView = {
      code,
      url: groupUrl(ctx.publicUrl, code),
      state: group.state,
      product: product
        ? { sku: product.sku, name: product.name, price: product.price, currency: product.currency }
        : { sku: group.sku, name: group.sku, price: 0, currency: "EUR" },
      tiers: tiers.map((tier) => ({ ...tier, reached: tier.members <= group.memberCount })),
      reachedTier: reached ?? null,
      nextTier: nextTier(tiers, group.memberCount) ?? null,
      memberCount: group.memberCount,
      target: group.size,
      cap: group.max,
      expiresAt: group.expiresAt,
      createdAt: group.createdAt,
      closedAt: group.closedAt ?? null,
      cancelReason: group.cancelReason ?? null,
      waiting: waiting.length,
      offered: offered.length,
      sibling: group.sibling ? { code: group.sibling, url: groupUrl(ctx.publicUrl, group.sibling) } : null,
      origin: group.origin ? { code: group.origin, url: groupUrl(ctx.publicUrl, group.origin) } : null,
      organiser: { displayName: nameOf(group.organiserKey), platform: platformOf(group.organiserKey) },
      members: group.members.map((m) => ({
        displayName: nameOf(m.userKey),
        platform: platformOf(m.userKey),
        joinedAt: m.joinedAt,
      })),
      viewer: {
        isOrganiser,
        isMember: options.viewerKey !== undefined && memberKeys.has(options.viewerKey),
        isInvited: viewerInvite !== undefined,
      },
      remindersSent,
    };
    if (viewerInvite) {
      result.me = {
        displayName: nameOf(viewerInvite.userKey),
        joined: memberKeys.has(viewerInvite.userKey),
        link: personalUrl(ctx.publicUrl, code, viewerInvite.token),
        orders: ordersOf(viewerInvite.userKey),
        couldNotDm: users.get(viewerInvite.userKey)?.dmFailure?.reason ?? null,
      };
    }
    if (isOrganiser) {
      result.details = {
        members: group.members.map((m) => {
          const user = users.get(m.userKey);
          return {
            userKey: m.userKey,
            displayName: nameOf(m.userKey),
            platform: platformOf(m.userKey),
            region: user?.region ?? null,
            email: user?.email ?? null,
            couldNotDm: user?.dmFailure?.reason ?? null,
            orders: ordersOf(m.userKey),
          };
        }),
        invited: group.invites.map((invite) => ({
          displayName: nameOf(invite.userKey),
          platform: platformOf(invite.userKey),
          joined: memberKeys.has(invite.userKey),
          couldNotDm: users.get(invite.userKey)?.dmFailure?.reason ?? null,
        })),
        waitlist: waiting.map((w) => ({
          displayName: nameOf(w.userKey),
          platform: platformOf(w.userKey),
          since: w.at,
        })),
        offers: offered.map((w) => ({
          displayName: nameOf(w.userKey),
          platform: platformOf(w.userKey),
          until: w.offeredUntil!,
        })),
      };
    }
    return result;
  };
}
