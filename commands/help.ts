import type { CommandDefinition } from "../src/chat/command";
import { helpFor, helpOverview } from "../src/chat/help";
import { findCommand } from "../src/chat/router";
import { userError } from "../src/engine/errors";

export const helpCommand: CommandDefinition = {
  name: "help",
  description: "Show how to use the commands",
  visibility: "private",
  replay: "read-only",
  examples: ["/help", "/help groupbuy"],
  args: [{ name: "command", type: "command", positional: true, description: "A command to explain" }],
  async run({ commands }, args) {
    const name = args.string("command");
    if (name === undefined) return helpOverview(commands);
    const command = findCommand(commands, name);
    if (!command) {
      const names = commands.map((c) => c.name).join(", ");
      throw userError("UNKNOWN_HELP_TOPIC", { command: name, commands: names });
    }
    return helpFor(command);
  },
};
