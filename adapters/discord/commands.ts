import type { ArgSpec, CommandDefinition } from "../../src/chat/command";

/** Discord's application command option types (API v10). */
export const DISCORD_OPTION = { SUB_COMMAND: 1, STRING: 3, INTEGER: 4 } as const;

export interface DiscordOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  choices?: { name: string; value: string }[];
  options?: DiscordOption[];
}

export interface DiscordCommand {
  name: string;
  description: string;
  type: 1;
  options: DiscordOption[];
}

/** The JSON body for `PUT /applications/{id}/commands`, derived from the definitions alone. */
export function discordCommands(commands: readonly CommandDefinition[]): DiscordCommand[] {
  return commands.map((command) => ({
    name: command.name,
    description: clip(command.description),
    type: 1,
    options: command.subcommands
      ? command.subcommands.map((sub) => ({
          type: DISCORD_OPTION.SUB_COMMAND,
          name: sub.name,
          description: clip(sub.description),
          options: options(sub.args ?? []),
        }))
      : options(command.args ?? []),
  }));
}

function options(specs: readonly ArgSpec[]): DiscordOption[] {
  // Discord rejects an optional option placed before a required one.
  const ordered = [
    ...specs.filter((s) => s.required && !s.after),
    ...specs.filter((s) => !s.required || s.after),
  ];
  return ordered.map((spec) => {
    // Discord cannot require an option only with another's value: the parser checks that.
    const required = Boolean(spec.required && !spec.after);
    const base = { name: spec.name, description: clip(spec.description), required };
    switch (spec.type) {
      case "integer":
        return { ...base, type: DISCORD_OPTION.INTEGER, min_value: spec.min, max_value: spec.max };
      case "string":
        return { ...base, type: DISCORD_OPTION.STRING, max_length: spec.maxLength };
      case "mentions":
        return { ...base, type: DISCORD_OPTION.STRING, max_length: 6000 };
      case "email":
        return { ...base, type: DISCORD_OPTION.STRING, max_length: 254 };
      case "choice":
        return {
          ...base,
          type: DISCORD_OPTION.STRING,
          choices: spec.choices.map((choice) => ({ name: choice, value: choice })),
        };
      default:
        return { ...base, type: DISCORD_OPTION.STRING, max_length: 160 };
    }
  });
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}
