import type { CommandDefinition } from "../src/chat/command";
import { formatUtcDigits } from "../src/format";
import { userKey } from "../src/kernel";
import { groupCodeArg } from "./shared";

export const leaveCommand: CommandDefinition = {
  name: "leave",
  description: "Leave an open group purchase; your order in it is cancelled",
  visibility: "channel",
  examples: ["/leave 7KQ3MX9P2HABC"],
  args: [groupCodeArg],
  async run({ engine, user, publicUrl }, args) {
    const left = await engine.groups.leave(userKey(user), args.requiredString("code"));
    const who = user.displayName ?? user.username ?? user.id;
    return {
      text: [
        `${who} left group ${left.code}: order ${left.orderId} is cancelled.`,
        `${left.memberCount} of ${left.size} members now (closes at ${left.max}); open until ${formatUtcDigits(left.expiresAt)}.`,
        `${publicUrl}/g/${left.code}`,
      ].join("\n"),
      buttons: [{ label: "Group status", command: `/group ${left.code}` }],
    };
  },
};
