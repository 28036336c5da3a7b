import type { CommandDefinition } from "../src/chat/command";
import { cartCommand } from "./cart";
import { catalogCommand } from "./catalog";
import { groupCommand } from "./group";
import { groupbuyCommand } from "./groupbuy";
import { helpCommand } from "./help";
import { joinCommand } from "./join";
import { leaveCommand } from "./leave";
import { pointsCommand } from "./points";
import { registerCommand } from "./register";

/** Every command, in the order /help and every platform list them (README "Commands"). */
export const COMMANDS: readonly CommandDefinition[] = [
  groupbuyCommand,
  joinCommand,
  leaveCommand,
  groupCommand,
  cartCommand,
  catalogCommand,
  pointsCommand,
  registerCommand,
  helpCommand,
];
