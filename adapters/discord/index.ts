import type * as Implementation from "./adapter";
import type { DiscordAdapter, DiscordAdapterDeps } from "./adapter";

export type { DiscordAdapter, DiscordAdapterDeps } from "./adapter";

/**
 * discord.js takes over a second to load, so it is loaded only when Discord is configured: this
 * entry point stays light for every start that never talks to Discord (playground, tests, Slack).
 */
export function createDiscordAdapter(deps: DiscordAdapterDeps): DiscordAdapter {
  const { createDiscordAdapter: create } = require("./adapter") as typeof Implementation;
  return create(deps);
}
