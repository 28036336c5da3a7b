import type { CommandDefinition } from "../../src/chat/command";
import { usageLine } from "../../src/chat/usage";

/** The commands as the playground page lists them: usage, then what each does. */
export function helpLines(commands: readonly CommandDefinition[]): string[] {
  return commands.map((command) => `${usageLine(command)} — ${command.description}`);
}
