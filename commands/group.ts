import type { CommandContext, CommandDefinition, CommandResult } from "../src/chat/command";
import type { ParsedArgs } from "../src/chat/parsed-args";
import { usageLine } from "../src/chat/usage";
import { userError } from "../src/engine/errors";
import { type GroupAction, type GroupActionResult, type GroupView, offeredLine } from "../src/engine/groups";
import { LIMITS } from "../src/engine/groups/open";
import { formatDurationAsTyped, formatMoney, formatUtcDigits } from "../src/format";
import { userKey } from "../src/kernel";
import { groupCodeArg } from "./shared";

const ACTIONS = ["close", "extend", "cancel", "remind"] as const;

export const groupCommand: CommandDefinition = {
  name: "group",
  description: "Show a group's status; its organiser (or an admin) can close, extend, cancel or remind",
  visibility: "channel",
  examples: [
    "/group 7KQ3MX9P2HABC",
    "/group 7KQ3MX9P2HABC extend 24h",
    "/group 7KQ3MX9P2HABC cancel the supplier is out of stock",
  ],
  args: [
    groupCodeArg,
    {
      name: "action",
      type: "choice",
      choices: ACTIONS,
      positional: true,
      description: "Organiser only: close now, extend the deadline, cancel, or remind who has not joined",
    },
    {
      name: "duration",
      type: "duration",
      minMs: LIMITS.minExpiresMs,
      maxMs: LIMITS.maxExpiresMs,
      positional: true,
      required: true,
      after: { name: "action", value: "extend" },
      placeholder: "dur",
      description: "With extend: how much longer the group stays open, e.g. 24h",
    },
    {
      name: "reason",
      type: "string",
      maxLength: 300,
      rest: true,
      positional: true,
      after: { name: "action", value: "cancel" },
      description: "With cancel: why, told to every member",
    },
  ],
  async run(ctx, args) {
    // duration= or reason= without their action still goes there, to be told which action they belong to.
    if (args.has("action") || args.has("duration") || args.has("reason")) return act(ctx, args);
    const view = await ctx.engine.groups.status(args.requiredString("code"), userKey(ctx.user));
    return {
      text: renderGroup(view),
      // The organiser's view carries members' contact details: only they see it.
      visibility: view.details ? "private" : "channel",
      buttons:
        view.state === "open" && !view.viewer.isMember
          ? [
              { label: "Join", command: `/join ${view.code}` },
              { label: "Open the group page", url: view.url },
            ]
          : [{ label: "Open the group page", url: view.url }],
      group: { code: view.code, url: view.url },
    };
  },
};

/** `/group <code> close|extend|cancel|remind`: the organiser's (or an admin's) action, then what it did. */
async function act(ctx: CommandContext, args: ParsedArgs): Promise<CommandResult> {
  const action = args.string("action");
  const usage = usageLine(groupCommand);
  const byMs = args.number("duration");
  const reason = args.string("reason");
  if (byMs !== undefined && action !== "extend") {
    throw userError("ACTION_OPTION_MISMATCH", { option: "duration", action: "extend", usage });
  }
  if (reason !== undefined && action !== "cancel") {
    throw userError("ACTION_OPTION_MISMATCH", { option: "reason", action: "cancel", usage });
  }
  const request = requestOf(action, byMs, reason);
  const done = await ctx.engine.groups.act(
    userKey(ctx.user),
    args.requiredString("code"),
    request,
    ctx.rights,
  );
  const url = `${ctx.publicUrl}/g/${done.code}`;
  return {
    text: `${actionText(done, request, ctx.engine.payments.on)}\n${url}`,
    // Reminding is the organiser's business; the rest changes the group for everyone in the channel.
    visibility: action === "remind" ? "private" : "channel",
    buttons: [{ label: "Open the group page", url }],
  };
}

/** The action as the engine takes it; the parser made sure extend came with its duration. */
function requestOf(
  action: string | undefined,
  byMs: number | undefined,
  reason: string | undefined,
): GroupAction {
  switch (action) {
    case "extend":
      return { action, byMs: byMs ?? 0 };
    case "cancel":
      return reason === undefined ? { action } : { action, reason };
    case "close":
    case "remind":
      return { action };
    default:
      throw new Error(`/group action ${action} is not one of ${ACTIONS.join(", ")}`);
  }
}

function actionText(done: GroupActionResult, request: GroupAction, paying: boolean): string {
  switch (request.action) {
    case "close":
      return paying
        ? `Group ${done.code} is closed and complete: each member who paid is charged the final group price (the list price less the tier reached and their region rebate: the discount is never charged) and told by DM what was charged and saved; those who had not paid are charged nothing.`
        : `Group ${done.code} is closed and complete with ${done.memberCount} members: discounts are credited as points (see /points).`;
    case "extend":
      return `Group ${done.code} now stays open until ${formatUtcDigits(done.expiresAt)} (${formatDurationAsTyped(request.byMs)} more).`;
    case "cancel":
      return `Group ${done.code} is cancelled${request.reason ? `: ${request.reason}` : ""}. Every order in it is cancelled and its members are told.`;
    case "remind": {
      const waiting = done.waiting ?? 0;
      const reminded = done.reminded ?? 0;
      if (waiting === 0) return `Everyone tagged in group ${done.code} has joined: nobody to remind.`;
      const skipped = waiting - reminded;
      return `Reminded ${reminded} of the ${waiting} tagged members who have not joined group ${done.code}${
        skipped ? ` (${skipped} already had a reminder in the last 12 hours)` : ""
      }.`;
    }
  }
}

const STATE_TEXT: Record<GroupView["state"], string> = {
  open: "open",
  complete: "complete",
  failed: "failed (not enough members; orders cancelled)",
};

function cancelledText(reason: string): string {
  return `cancelled${reason ? ` (${reason})` : ""}; orders cancelled`;
}

export function renderGroup(view: GroupView): string {
  const { product } = view;
  const tiers = view.tiers.length
    ? view.tiers.map((t) => `${t.members}+ members: ${t.percentOff}% off${t.reached ? " ✓" : ""}`).join(", ")
    : "none";
  const members = view.members.length ? view.members.map((m) => m.displayName).join(", ") : "nobody yet";
  const lines = [
    `Group ${view.code}: ${product.name} (${product.sku}), ${formatMoney(product.price, product.currency)} each, organised by ${view.organiser.displayName}.`,
    `Status: ${typeof view.cancelReason === "string" ? cancelledText(view.cancelReason) : STATE_TEXT[view.state]} · ${view.memberCount} of ${view.target} members${view.cap > view.target ? ` (closes at ${view.cap})` : ""} · deadline ${formatUtcDigits(view.expiresAt)}.`,
    `Tiers: ${tiers}.`,
    `Members: ${members}.`,
  ];
  if (view.offered > 0) lines.push(offeredLine(view.offered));
  if (view.waiting > 0) lines.push(`Waitlist: ${view.waiting} waiting for a place.`);
  if (view.origin) lines.push(`Opened for the waitlist of group ${view.origin.code}: ${view.origin.url}`);
  if (view.sibling) lines.push(`Group for its waitlist: ${view.sibling.code}: ${view.sibling.url}`);
  if (view.state === "open" && !view.viewer.isMember) lines.push(`Join with /join ${view.code}`);
  if (view.details) {
    lines.push("Organiser details:");
    for (const m of view.details.members) {
      const orders = m.orders
        .map(
          (o) =>
            `${o.qty} × ${o.sku} ${formatMoney(o.total, o.currency)}${o.status === "cancelled" ? " (cancelled)" : ""}${o.payment ? ` [payment ${paymentWords(o.payment, o.currency)}]` : ""}`,
        )
        .join("; ");
      const contact = [m.platform, m.region ? `region ${m.region}` : "no region", m.email ?? "no email"].join(
        ", ",
      );
      const dm = m.couldNotDm ? ` — could not DM (${m.couldNotDm})` : "";
      lines.push(`• ${m.displayName} (${contact}): ${orders || "no orders"}${dm}`);
    }
    const waiting = view.details.invited.filter((i) => !i.joined);
    if (waiting.length) {
      const names = waiting.map(
        (i) => `${i.displayName}${i.couldNotDm ? ` (could not DM: ${i.couldNotDm})` : ""}`,
      );
      lines.push(`Invited, not joined yet: ${names.join(", ")}.`);
    }
    if (view.details.offers.length) {
      const held = view.details.offers.map(
        (o) => `${o.displayName} (${o.platform}) until ${formatUtcDigits(o.until)}`,
      );
      lines.push(`Offered a freed place: ${held.join(", ")}.`);
    }
    if (view.details.waitlist.length) {
      lines.push(
        `Waitlist, in order: ${view.details.waitlist.map((w) => `${w.displayName} (${w.platform})`).join(", ")}.`,
      );
    }
  }
  if (view.exportUrl) lines.push(`Orders as CSV (private link, keep it to yourself): ${view.exportUrl}`);
  lines.push(view.url);
  return lines.join("\n");
}

/** An order's payment as the organiser reads it: its state, and what was charged once it was. */
function paymentWords(payment: { state: string; charged: number }, currency: string): string {
  return payment.charged > 0 ? `${payment.state}, ${formatMoney(payment.charged, currency)}` : payment.state;
}
