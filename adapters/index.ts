import type { MentionSyntax } from "../src/chat/mentions";
import type { Platform } from "../src/kernel";
import type { PlatformDefinition, PlatformsSettings } from "../src/platform";
import type { PlatformOnPage } from "../src/web";
import { discordPlatform } from "./discord/platform";
import { playgroundPlatform } from "./playground/platform";
import { slackPlatform } from "./slack/platform";
import { telegramPlatform } from "./telegram/platform";

/**
 * Every platform crowdcart speaks, in the order pages list them. Adding one is its folder under
 * `adapters/` (a `platform.ts` implementing PlatformDefinition, its adapter, its tests) and one
 * line here.
 */
export const PLATFORMS: readonly PlatformDefinition[] = [
  discordPlatform,
  slackPlatform,
  telegramPlatform,
  playgroundPlatform,
];

/** How each platform writes a mention into a command line, for the chat router. */
export const MENTION_SYNTAX: Readonly<Record<Platform, MentionSyntax>> = Object.fromEntries(
  PLATFORMS.map((platform) => [platform.id, platform.parseMention.bind(platform)]),
);

/** The platforms as the pages show them: their names, and how to join from each with these settings. */
export function platformsOnPage(settings: PlatformsSettings): PlatformOnPage[] {
  return PLATFORMS.map((platform) => ({
    id: platform.id,
    label: platform.label,
    joinHint: (command, publicUrl) =>
      platform.joinHint({ command, settings: settings[platform.id]!, publicUrl }),
  }));
}
