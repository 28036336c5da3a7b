/**
 * Which gateway shards this process runs: unset = one connection for everything; `auto` = as
 * many as Discord recommends, all here; a count = that many, all here or the DISCORD_SHARD_IDS.
 */
export type DiscordShards = { count: "auto" } | { count: number; ids: number[] };

export interface DiscordSettings {
  /** On with an application id and a bot token. */
  enabled: boolean;
  applicationId: string;
  botToken: string;
  /** POST /discord/interactions, when set (the application's public key checks every request). */
  publicKey?: string | undefined;
  /** The gateway connection (on unless DISCORD_GATEWAY=false). */
  gateway: boolean;
  /** DISCORD_API_URL: the REST base, e.g. a local fake in tests. */
  apiUrl?: string | undefined;
  shards?: DiscordShards;
}
