import type { ArgSpec, CommandDefinition } from "./command";
import { argUsage, expected, subcommandUsage, usageLine } from "./usage";

/** `/help`: one line per command, usage then description; generated, never hand-written. */
export function helpOverview(commands: readonly CommandDefinition[]): string {
  const lines = commands.map((c) => `${usageLine(c)} — ${c.description}`);
  return [
    "Commands (options are key=value, quote values with spaces):",
    ...lines,
    "Type /help <command> for details.",
  ].join("\n");
}

/** `/help <command>`: usage, what it does, each argument with its limits, examples. */
export function helpFor(command: CommandDefinition): string {
  const lines = [`Usage: ${usageLine(command)}`, command.description];
  if (command.subcommands) {
    for (const sub of command.subcommands) {
      lines.push(`  ${subcommandUsage(command, sub)} — ${sub.description}`);
      for (const arg of sub.args ?? []) lines.push(`      ${argLine(arg)}`);
    }
  }
  for (const arg of command.args ?? []) lines.push(`  ${argLine(arg)}`);
  if (command.examples?.length) lines.push(`Examples: ${command.examples.join("  ·  ")}`);
  return lines.join("\n");
}

function argLine(arg: ArgSpec): string {
  return `${argUsage(arg)}: ${arg.description} (${expected(arg)})`;
}
