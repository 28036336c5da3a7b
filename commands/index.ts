import type { CommandDefinition } from "../src/chat/command";
import { cartCommand } from "./cart";
import { catalogCommand } from "./catalog";
import { groupCommand } from "./group";
import { groupbuyCommand } from "./groupbuy";
import { helpCommand } from "./help";
import { joinCommand } from "./join";
import { pointsCommand } from "./points";
import { registerCommand } from "./register";

/** Every command, in the order /help, Slack, Telegram and Discord list them (CONTRACT §4). */
export const COMMANDS: readonly CommandDefinition[] = [
  groupbuyCommand,
  joinCommand,
  groupCommand,
  cartCommand,
  catalogCommand,
  pointsCommand,
  registerCommand,
  helpCommand,
];
