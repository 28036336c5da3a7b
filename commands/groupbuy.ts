import type { CommandDefinition } from "../src/chat/command";
import { LIMITS } from "../src/engine/groups/open";
import { formatUtcDigits } from "../src/format";
import { userKey } from "../src/kernel";
import { skuArg } from "./shared";

export const groupbuyCommand: CommandDefinition = {
  name: "groupbuy",
  description: "Open a group purchase for a product and invite members by mention",
  visibility: "channel",
  replay: "in-effect",
  examples: ["/groupbuy KB-75 @bob @carol", "/groupbuy KB-75 size=3 max=5 expires=24h @bob"],
  args: [
    skuArg("The product to buy together (see /catalog)", true, "product"),
    {
      name: "size",
      type: "integer",
      min: 2,
      max: LIMITS.maxSize,
      placeholder: "n",
      description: "Members needed (default 2)",
    },
    {
      name: "max",
      type: "integer",
      min: 2,
      max: LIMITS.maxSize,
      placeholder: "m",
      description: "Members at which the group closes (default: size)",
    },
    {
      name: "expires",
      type: "duration",
      minMs: LIMITS.minExpiresMs,
      maxMs: LIMITS.maxExpiresMs,
      placeholder: "dur",
      description: "How long the group stays open, e.g. 48h (default GROUP_TTL)",
    },
    {
      name: "members",
      type: "mentions",
      positional: true,
      maxCount: LIMITS.maxTagged,
      placeholder: "mention",
      description: "Members to invite; each gets a DM with a personal link",
    },
  ],
  async run({ engine, user, eventKey, invocation, rights }, args) {
    const size = args.number("size");
    const max = args.number("max");
    const expiresInMs = args.number("expires");
    const opened = await engine.groups.open(userKey(user), args.requiredString("product"), {
      ...(size !== undefined ? { size } : {}),
      ...(max !== undefined ? { max } : {}),
      ...(expiresInMs !== undefined ? { expiresInMs } : {}),
      members: args.mentions("members").map(userKey),
      eventKey,
      // The reply answers the organiser; the status card is a message of its own in this channel.
      channel: { platform: invocation.platform, id: invocation.channel.id },
      ...(rights?.space ? { openedIn: rights.space } : {}),
    });
    const organiser = user.displayName ?? user.username ?? user.id;
    const lines = [
      `${organiser} opened a group buy of ${opened.productName} (${opened.sku}): ${opened.size} members needed${
        opened.max > opened.size ? ` (closes at ${opened.max})` : ""
      }, open until ${formatUtcDigits(opened.expiresAt)}.`,
      `Group code: ${opened.code} — ${opened.url}`,
      `Join with /join ${opened.code} (the organiser too, to buy).`,
    ];
    const reached = opened.invites.filter((i) => !i.dmUnreachable);
    const unreachable = opened.invites.filter((i) => i.dmUnreachable);
    if (reached.length) lines.push(`Invited by DM: ${reached.map((i) => i.displayName).join(", ")}.`);
    if (unreachable.length) {
      lines.push(
        `Could not DM ${unreachable.map((i) => i.displayName).join(", ")}: open a direct chat with the bot (so it may write to you), then type /join ${opened.code} here or open ${opened.url}.`,
      );
    }
    return {
      text: lines.join("\n"),
      buttons: [
        { label: "Join", command: `/join ${opened.code}` },
        { label: "Open the group page", url: opened.url },
      ],
      group: { code: opened.code, url: opened.url },
      replayed: Boolean(opened.replayed),
    };
  },
};
