import type { CommandDefinition } from "../src/chat/command";
import { formatMoney, formatUtcDigits } from "../src/format";
import { userKey } from "../src/kernel";

const HISTORY_SHOWN = 10;

export const pointsCommand: CommandDefinition = {
  name: "points",
  description: "Show your credit points and their history",
  visibility: "private",
  replay: "read-only",
  examples: ["/points"],
  async run({ engine, user }) {
    const { balance, history } = await engine.points.statement(userKey(user));
    if (history.length === 0) return "You have 0 points yet: complete a group purchase to earn some.";
    const currency = history.at(-1)?.currency ?? "EUR";
    const lines = history.slice(-HISTORY_SHOWN).map((entry) => {
      const where = entry.groupCode ? ` for group ${entry.groupCode}` : "";
      return `• ${formatUtcDigits(entry.createdAt)}: +${entry.amount} (${formatMoney(entry.amount, entry.currency)})${where}`;
    });
    const older =
      history.length > HISTORY_SHOWN ? [`(${history.length - HISTORY_SHOWN} older entries not shown)`] : [];
    return [`You have ${balance} points (${formatMoney(balance, currency)}).`, ...lines, ...older].join("\n");
  },
};
