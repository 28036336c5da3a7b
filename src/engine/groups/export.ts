import type {
  GroupDoc,
  GroupExportToken,
  LedgerEntryDoc,
  OrderDoc,
  PaymentState,
  ProductDoc,
  Tier,
  UserDoc,
} from "../../../models";
import { bindEngineSecretModel } from "../../../models/engine-secret";
import type { Platform } from "../../kernel";
import { hashToken, tokenHashesEqual } from "../cart/session-code";
import { createTokenSealer, sealingKey, type TokenSealer } from "../cart/token-seal";
import type { EngineContext } from "../context";
import { reachedTier } from "../discount";
import { parseUserKey } from "../users";
import { newMemberToken, normalizeGroupCode } from "./code";
import { unknownGroup } from "./errors";
import { groupUrl } from "./messages";

/** One order of a group, as the organiser hands it to the supplier. */
export interface ExportedOrder {
  orderId: string;
  member: string;
  platform: Platform;
  productName: string;
  sku: string;
  qty: number;
  /** Minor units of `currency`. */
  unitPrice: number;
  currency: string;
  /** The group's tier at its member count; null below the first tier and when the group failed. */
  tier: Tier | null;
  /** Points credited for this order once the group completed (0 when none were due), else null. */
  points: number | null;
  region: string | null;
  email: string | null;
  state: OrderDoc["status"];
  /** With payments on: where the order's money stands and what was charged. */
  payment?: { state: PaymentState; charged: number } | undefined;
}

export interface GroupExport {
  code: string;
  orders: ExportedOrder[];
}

/**
 * The organiser's CSV link. Its token is drawn from the CSPRNG like a member's, and kept the way
 * cart tokens are: a SHA-256 for the constant-time check, and a sealed copy (SESSION_CODE_SECRET's
 * key) so `/group` can show the link again. A token that does not match is the same miss as an
 * unknown code: the caller's lookup counts it against the sender.
 */
export function createExport(
  ctx: EngineContext,
  deps: { codeSecret?: string; closeIfExpired: (group: GroupDoc) => Promise<GroupDoc | null> },
) {
  const { Group, Order, User, LedgerEntry, Product } = ctx.models;
  let sealing: Promise<TokenSealer> | undefined;
  function sealer(): Promise<TokenSealer> {
    sealing ??= sealingKey(bindEngineSecretModel(ctx.connection), deps.codeSecret, ctx.clock.now()).then(
      createTokenSealer,
    );
    sealing.catch(() => {
      sealing = undefined;
    });
    return sealing;
  }
  /** Binds a sealed token to its group and purpose: copied onto another group it does not open. */
  const sealedFor = (code: string) => `orders.csv:${code}`;
  const exportUrl = (code: string, token: string) =>
    `${groupUrl(ctx.publicUrl, code)}/orders.csv?k=${encodeURIComponent(token)}`;

  /** The organiser's private link to the group's orders; made on first use. */
  async function link(code: string): Promise<string> {
    const seal = await sealer();
    for (let attempt = 0; attempt < 3; attempt++) {
      const group = await Group.findById(code, { exportToken: 1 }).lean<Pick<GroupDoc, "exportToken">>();
      if (!group) throw unknownGroup(code);
      const stored = group.exportToken ?? null;
      const token = stored ? seal.open(stored.sealed, sealedFor(code)) : undefined;
      if (token !== undefined) return exportUrl(code, token);
      // None yet, or sealed under a key no longer configured: a fresh token replaces it.
      const fresh = newMemberToken();
      const next: GroupExportToken = { hash: hashToken(fresh), sealed: seal.seal(fresh, sealedFor(code)) };
      const unchanged = stored ? { "exportToken.hash": stored.hash } : { exportToken: null };
      const written = await Group.updateOne({ _id: code, ...unchanged }, { $set: { exportToken: next } });
      if (written.matchedCount === 1) return exportUrl(code, fresh);
      // Another request made one first: show theirs.
    }
    throw new Error(`group ${code}: the export token kept changing`);
  }

  /** Every order of the group, oldest first, for the holder of the link's token. */
  async function orders(codeInput: string, token: string | undefined): Promise<GroupExport> {
    const code = normalizeGroupCode(codeInput);
    let group = code ? await Group.findById(code).lean<GroupDoc>() : null;
    const expected = group?.exportToken?.hash;
    if (!group || !expected || !token || !tokenHashesEqual(hashToken(token), expected)) {
      throw unknownGroup(codeInput);
    }
    if (group.state === "open" && group.expiresAt.getTime() <= ctx.clock.now().getTime()) {
      group =
        (await deps.closeIfExpired(group)) ?? (await Group.findById(group._id).lean<GroupDoc>()) ?? group;
    }
    const [orderDocs, product, credits] = await Promise.all([
      Order.find({ groupCode: group._id }).sort({ createdAt: 1, _id: 1 }).lean<OrderDoc[]>(),
      Product.findById(group.sku.toUpperCase()).lean<ProductDoc>(),
      LedgerEntry.find({ groupCode: group._id }).lean<LedgerEntryDoc[]>(),
    ]);
    const keys = [...new Set(orderDocs.map((o) => o.userKey))];
    const users = new Map((await User.find({ _id: { $in: keys } }).lean<UserDoc[]>()).map((u) => [u._id, u]));
    const pointsOf = new Map(credits.map((c) => [c.orderId, c.amount]));
    const tier =
      group.state === "failed" ? null : (reachedTier(product?.tiers ?? [], group.memberCount) ?? null);
    return {
      code: group._id,
      orders: orderDocs.map((order) => {
        const user = users.get(order.userKey);
        return {
          orderId: order._id,
          member: user?.displayName ?? parseUserKey(order.userKey).id,
          platform: parseUserKey(order.userKey).platform,
          productName: order.name,
          sku: order.sku,
          qty: order.qty,
          unitPrice: order.unitPrice,
          currency: order.currency,
          tier,
          points: group.state === "complete" ? (pointsOf.get(order._id) ?? 0) : null,
          region: order.region,
          email: user?.email ?? null,
          state: order.status,
          ...(order.payment && { payment: { state: order.payment.state, charged: order.payment.charged } }),
        };
      }),
    };
  }

  return { link, orders };
}
