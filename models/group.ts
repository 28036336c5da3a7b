import { type Connection, type Model, Schema } from "mongoose";
import type { Platform } from "../src/kernel";

export type GroupState = "open" | "complete" | "failed";

/**
 * Someone who asked to join once the group was full, with what they asked for. Entries are never
 * removed: `placedIn` is set when a sibling group took them (or the group itself, when they took a
 * freed place), so a repeated `/join` finds them there. Someone whose offer lapsed may queue
 * again: a new entry, at the end.
 */
export interface WaitlistEntry {
  userKey: string;
  /** Another product than the group's, when they asked for one. */
  sku: string | null;
  qty: number;
  at: Date;
  /** The sibling group they were placed in (or this group, through an offer); null while they wait. */
  placedIn: string | null;
  /**
   * Set when a freed place was offered to them: held until then. It stays as the record of the
   * offer; the offer is pending while the entry is neither placed nor lapsed.
   */
  offeredUntil?: Date | null;
  /** When an offer to them lapsed unanswered (or its group closed first): they wait no more. */
  lapsedAt?: Date | null;
}

/** A member who joined, with the order their joining placed. */
export interface GroupMember {
  userKey: string;
  orderId: string;
  joinedAt: Date;
  /** The chat event that made the join (`platform:eventId`): a retry of it gets this join's answer. */
  eventKey?: string | null;
}

/** A member tagged by the organiser, with the personal token of their link `/g/<code>?m=<token>`. */
export interface GroupInvite {
  userKey: string;
  token: string;
}

/** A card that could no longer be edited (deleted, no rights there any more): a new one replaced it. */
export interface LostCard {
  ref: string;
  reason: string;
  at: Date;
}

/**
 * The group's status card: the channel message `/groupbuy` posted, edited whenever the group
 * changes. `ref` is the messenger's reference to it, null until it is posted (or after it was lost).
 */
export interface GroupCard {
  platform: Platform;
  channelId: string;
  ref: string | null;
  lost: LostCard[];
}

/**
 * A group purchase. `memberCount` mirrors `members.length` so one conditional update can check
 * the cap, the state and "not yet a member" atomically.
 */
export interface GroupDoc {
  /** The group code. */
  _id: string;
  sku: string;
  organiserKey: string;
  size: number;
  max: number;
  expiresAt: Date;
  state: GroupState;
  memberCount: number;
  /**
   * With payments on: members whose money is in place (authorized). The group completes on these,
   * not on members still at the checkout.
   */
  paidCount?: number;
  members: GroupMember[];
  /**
   * Places held for waitlisted members offered a freed place: counted with `memberCount` against
   * `max`, so nobody else takes them while the offer stands.
   */
  offered?: number;
  invites: GroupInvite[];
  /** False from the moment the state leaves `open` until every consequence (points, cancellations, DMs) is written. */
  settled: boolean;
  createdAt: Date;
  closedAt?: Date | null;
  /**
   * The chat event that opened the group (`platform:eventId`): a retried `/groupbuy` whose first
   * run's reply was lost finds this group instead of opening a second one and DMing everyone twice.
   */
  openedBy?: string | null;
  /** Where its status card is; null for a group opened outside a chat channel. */
  card?: GroupCard | null;
  /**
   * The organiser's export link token (`/g/<code>/orders.csv?k=<token>`), made on first use: its
   * SHA-256 to check a presented token, and the token sealed (as cart tokens are) to show the link
   * again. The token itself is never stored.
   */
  exportToken?: GroupExportToken | null;
  /**
   * Where `/groupbuy` was typed, as `<platform>:<space>` (a Discord server, a Slack workspace, a
   * Telegram group chat): that space's admins may run the group's organiser actions. Null where the
   * platform has no admins (a direct chat, the playground).
   */
  openedIn?: string | null;
  /** Set when the organiser (or an admin) cancelled the group: the reason members are told ("" = none given). */
  cancelReason?: string | null;
  /** Who asked to join once it was full, in order. */
  waitlist?: WaitlistEntry[];
  /** The latest group opened for this group's waitlist. */
  sibling?: string | null;
  /** The full group whose waitlist this group was opened for. */
  origin?: string | null;
}

export interface GroupExportToken {
  hash: string;
  sealed: string;
}

export const groupSchema = new Schema<GroupDoc>(
  {
    _id: { type: String, required: true },
    sku: { type: String, required: true },
    organiserKey: { type: String, required: true },
    size: { type: Number, required: true },
    max: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
    state: { type: String, required: true, enum: ["open", "complete", "failed"] },
    memberCount: { type: Number, required: true, default: 0 },
    paidCount: { type: Number, default: 0 },
    offered: { type: Number, default: 0 },
    members: {
      type: [
        new Schema<GroupMember>(
          { userKey: String, orderId: String, joinedAt: Date, eventKey: { type: String, default: null } },
          { _id: false },
        ),
      ],
      default: [],
    },
    invites: {
      type: [new Schema<GroupInvite>({ userKey: String, token: String }, { _id: false })],
      default: [],
    },
    settled: { type: Boolean, required: true, default: true },
    createdAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
    openedBy: { type: String, default: null },
    card: {
      type: new Schema<GroupCard>(
        {
          platform: String,
          channelId: String,
          ref: { type: String, default: null },
          lost: {
            type: [new Schema<LostCard>({ ref: String, reason: String, at: Date }, { _id: false })],
            default: [],
          },
        },
        { _id: false },
      ),
      default: null,
    },
    exportToken: {
      type: new Schema<GroupExportToken>({ hash: String, sealed: String }, { _id: false }),
      default: null,
    },
    openedIn: { type: String, default: null },
    cancelReason: { type: String, default: null },
    waitlist: {
      type: [
        new Schema<WaitlistEntry>(
          {
            userKey: String,
            sku: { type: String, default: null },
            qty: Number,
            at: Date,
            placedIn: { type: String, default: null },
            offeredUntil: { type: Date, default: null },
            lapsedAt: { type: Date, default: null },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    sibling: { type: String, default: null },
    origin: { type: String, default: null },
  },
  { collection: "groups", versionKey: false },
);
groupSchema.index(
  { openedBy: 1 },
  { unique: true, partialFilterExpression: { openedBy: { $type: "string" } } },
);
// The sweeper's query: open groups past their deadline, and closed ones not yet settled.
groupSchema.index({ state: 1, expiresAt: 1 });
groupSchema.index({ settled: 1 });
// The sweeper's query for offers of a freed place that ran out.
groupSchema.index({ "waitlist.offeredUntil": 1 }, { sparse: true });

export type GroupModel = Model<GroupDoc>;

export function bindGroupModel(connection: Connection): GroupModel {
  return (
    (connection.models.Group as GroupModel | undefined) ?? connection.model<GroupDoc>("Group", groupSchema)
  );
}

/** When each tagged member was last reminded (at most one reminder per interval). `_id` = `<code>|<userKey>`. */
export interface ReminderDoc {
  _id: string;
  remindedAt: Date;
}

export const reminderSchema = new Schema<ReminderDoc>(
  { _id: { type: String, required: true }, remindedAt: { type: Date, required: true } },
  { collection: "group_reminders", versionKey: false },
);

export type ReminderModel = Model<ReminderDoc>;

export function bindReminderModel(connection: Connection): ReminderModel {
  return (
    (connection.models.GroupReminder as ReminderModel | undefined) ??
    connection.model<ReminderDoc>("GroupReminder", reminderSchema)
  );
}
