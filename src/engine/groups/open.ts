import {
  driverCollection,
  type GroupDoc,
  type GroupInvite,
  type ProductDoc,
  type UserDoc,
} from "../../../models";
import type { Platform } from "../../kernel";
import type { EngineContext } from "../context";
import { userError } from "../errors";
import type { OutboxWriter } from "../outbox";
import { isDuplicateKey } from "../unavailable";
import { parseUserKey } from "../users";
import type { StatusCards } from "./card";
import { newGroupCode, newMemberToken } from "./code";
import { groupUrl, inviteDm, personalUrl } from "./messages";

export interface OpenGroupOptions {
  /** Members needed (default 2). */
  size?: number;
  /** Members at which the group closes (default = size). */
  max?: number;
  /** Lifetime in ms (default GROUP_TTL). */
  expiresInMs?: number;
  /** User keys of the tagged members; each gets a DM with a personal link. */
  members?: string[];
  /** The chat event asking (`platform:eventId`): asking again with it returns the same group. */
  eventKey?: string;
  /** The channel asked from: the group's status card is posted there and kept up to date. */
  channel?: { platform: Platform; id: string };
  /** Where it was typed (`<platform>:<space>`): that space's admins may manage the group too. */
  openedIn?: string;
}

export interface OpenedGroup {
  code: string;
  url: string;
  sku: string;
  productName: string;
  size: number;
  max: number;
  expiresAt: Date;
  /** The tagged members; `dmUnreachable` when an earlier DM to them already failed for good. */
  invites: { userKey: string; displayName: string; link: string; dmUnreachable?: string }[];
  /** True when this chat event had already opened the group (a retry): nothing was written now. */
  replayed?: boolean;
}

export const LIMITS = {
  maxSize: 1000,
  /** As many as a group can hold; in practice a chat message's length caps a mention list first. */
  maxTagged: 1000,
  minExpiresMs: 60_000,
  maxExpiresMs: 30 * 86_400_000,
  /** Card holds lapse after about seven days: with payments on a group closes within six. */
  maxHoldMs: 6 * 86_400_000,
} as const;

export function createOpenGroup(
  ctx: EngineContext,
  deps: {
    outbox: OutboxWriter;
    cards: StatusCards;
    groupTtlMs: number;
    requireProduct: (sku: string) => Promise<ProductDoc>;
    /** Names and DM flags, from memory where this process saw the people lately. */
    users: (keys: string[]) => Promise<Map<string, UserDoc>>;
    /** With card holds, a group must close before the holds lapse. */
    maxHoldMs?: number | undefined;
  },
) {
  const { Group } = ctx.models;

  return async function openGroup(
    organiserKey: string,
    sku: string,
    options: OpenGroupOptions = {},
  ): Promise<OpenedGroup> {
    const size = options.size ?? 2;
    if (!(Number.isInteger(size) && size >= 2 && size <= LIMITS.maxSize)) {
      throw userError("INVALID_SIZE", { max: LIMITS.maxSize });
    }
    const max = options.max ?? size;
    if (!(Number.isInteger(max) && max >= size && max <= LIMITS.maxSize)) {
      throw userError("INVALID_MAX", { size, max: LIMITS.maxSize });
    }
    const ttl = options.expiresInMs ?? deps.groupTtlMs;
    if (!(Number.isFinite(ttl) && ttl >= LIMITS.minExpiresMs && ttl <= LIMITS.maxExpiresMs)) {
      throw userError("INVALID_EXPIRY");
    }
    if (deps.maxHoldMs !== undefined && ttl > deps.maxHoldMs) throw userError("HOLD_TOO_LONG");
    const tagged = [...new Set(options.members ?? [])].filter((key) => key !== organiserKey);
    if (tagged.length > LIMITS.maxTagged) throw userError("TOO_MANY_MEMBERS", { max: LIMITS.maxTagged });
    for (const key of tagged) parseUserKey(key);

    const product = await deps.requireProduct(sku);
    const users = await deps.users([organiserKey, ...tagged]);
    const organiserName = users.get(organiserKey)?.displayName ?? parseUserKey(organiserKey).id;
    const now = ctx.clock.now();
    const invites: GroupInvite[] = tagged.map((userKey) => ({ userKey, token: newMemberToken() }));

    // A code collision (2^-65 per pair) is retried with a fresh code rather than reported.
    for (let attempt = 0; ; attempt++) {
      const group: GroupDoc = {
        _id: newGroupCode(),
        sku: product.sku,
        organiserKey,
        size,
        max,
        expiresAt: new Date(now.getTime() + ttl),
        state: "open",
        memberCount: 0,
        members: [],
        invites,
        settled: true,
        createdAt: now,
        closedAt: null,
        openedBy: options.eventKey ?? null,
        card: options.channel
          ? { platform: options.channel.platform, channelId: options.channel.id, ref: null, lost: [] }
          : null,
        openedIn: options.openedIn ?? null,
      };
      try {
        await ctx.tx(async (session) => {
          await driverCollection(Group).insertOne(group, session ? { session } : {});
          await deps.outbox.dms(
            session,
            invites.map((invite) => ({
              id: `invite:${group._id}:${invite.userKey}`,
              to: invite.userKey,
              ...inviteDm({
                group,
                product,
                organiserName,
                link: personalUrl(ctx.publicUrl, group._id, invite.token),
              }),
            })),
            // The card's first state rides in the same write as the invitations.
            group.card ? deps.cards.input({ ...group, card: group.card }, product) : undefined,
          );
        });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const earlier = options.eventKey
          ? await Group.findOne({ openedBy: options.eventKey }).lean<GroupDoc>()
          : null;
        if (earlier) return { ...opened(ctx.publicUrl, earlier, product, users), replayed: true };
        if (attempt < 2) continue;
        throw error;
      }
      ctx.kickOutbox();
      return opened(ctx.publicUrl, group, product, users);
    }
  };
}

function opened(
  publicUrl: string,
  group: GroupDoc,
  product: ProductDoc,
  users: Map<string, UserDoc>,
): OpenedGroup {
  return {
    code: group._id,
    url: groupUrl(publicUrl, group._id),
    sku: product.sku,
    productName: product.name,
    size: group.size,
    max: group.max,
    expiresAt: group.expiresAt,
    invites: group.invites.map((invite) => {
      const user = users.get(invite.userKey);
      return {
        userKey: invite.userKey,
        displayName: user?.displayName ?? parseUserKey(invite.userKey).id,
        link: personalUrl(publicUrl, group._id, invite.token),
        ...(user?.dmFailure ? { dmUnreachable: user.dmFailure.reason } : {}),
      };
    }),
  };
}
