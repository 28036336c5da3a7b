import type { Platform } from "../kernel";
import type { SafeHtml } from "./html";

/** A platform as the pages show it: its name, and how to send a command from it. */
export interface PlatformOnPage {
  id: Platform;
  label: string;
  /** One line for "How to join": on this platform, how to send `command`. */
  joinHint(command: string, publicUrl: string): SafeHtml;
}

/** Each platform's name by id, for the members list (an id no platform claims shows as itself). */
export function platformLabels(platforms: readonly PlatformOnPage[]): Record<Platform, string> {
  return Object.fromEntries(platforms.map((platform) => [platform.id, platform.label]));
}
