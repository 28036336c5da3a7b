import type { CommandDefinition } from "../src/chat/command";
import type { GroupView } from "../src/engine/groups";
import { formatMoney, formatUtcDigits } from "../src/format";
import { userKey } from "../src/kernel";
import { groupCodeArg } from "./shared";

export const groupCommand: CommandDefinition = {
  name: "group",
  description: "Show a group's status: members, target, deadline and tiers",
  visibility: "channel",
  examples: ["/group 7KQ3MX9P2HABC"],
  args: [groupCodeArg],
  async run({ engine, user }, args) {
    const view = await engine.groups.status(args.requiredString("code"), userKey(user));
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

const STATE_TEXT: Record<GroupView["state"], string> = {
  open: "open",
  complete: "complete",
  failed: "failed (not enough members; orders cancelled)",
};

export function renderGroup(view: GroupView): string {
  const { product } = view;
  const tiers = view.tiers.length
    ? view.tiers.map((t) => `${t.members}+ members: ${t.percentOff}% off${t.reached ? " ✓" : ""}`).join(", ")
    : "none";
  const members = view.members.length ? view.members.map((m) => m.displayName).join(", ") : "nobody yet";
  const lines = [
    `Group ${view.code}: ${product.name} (${product.sku}), ${formatMoney(product.price, product.currency)} each, organised by ${view.organiser.displayName}.`,
    `Status: ${STATE_TEXT[view.state]} · ${view.memberCount} of ${view.target} members${view.cap > view.target ? ` (closes at ${view.cap})` : ""} · deadline ${formatUtcDigits(view.expiresAt)}.`,
    `Tiers: ${tiers}.`,
    `Members: ${members}.`,
  ];
  if (view.state === "open" && !view.viewer.isMember) lines.push(`Join with /join ${view.code}`);
  if (view.details) {
    lines.push("Organiser details:");
    for (const m of view.details.members) {
      const orders = m.orders
        .map(
          (o) =>
            `${o.qty} × ${o.sku} ${formatMoney(o.total, o.currency)}${o.status === "cancelled" ? " (cancelled)" : ""}`,
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
  }
  if (view.exportUrl) lines.push(`Orders as CSV (private link, keep it to yourself): ${view.exportUrl}`);
  lines.push(view.url);
  return lines.join("\n");
}
