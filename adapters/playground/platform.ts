import { bool } from "../../src/config/variables";
import type { AdapterContext, ChatAdapter, PlatformDefinition } from "../../src/platform";
import { html } from "../../src/web/html";
import { helpLines } from "./help";
import type { PlaygroundSettings } from "./settings";

export const playgroundPlatform: PlatformDefinition<PlaygroundSettings> = {
  id: "playground",
  label: "Web chat",
  variables: { PLAYGROUND: { schema: bool().optional(), expected: "true or false" } },

  configure(values, { production }) {
    const asked = values.PLAYGROUND as boolean | undefined;
    return { enabled: asked ?? !production, forcedInProduction: production && asked === true };
  },

  parseMention(word) {
    const m = /^@([A-Za-z0-9_.-]{1,32})$/.exec(word);
    if (!m) return undefined;
    const name = m[1]!.toLowerCase();
    return { raw: word, platform: "playground", id: name, username: name, displayName: name };
  },

  publishedCommands(commands) {
    return helpLines(commands);
  },

  joinHint({ command, settings, publicUrl }) {
    return settings.enabled
      ? html`Open <a href="${publicUrl}/">the web chat</a>, pick a name and send <code>${command}</code>.`
      : html`Send <code>${command}</code> in the web chat.`;
  },

  create(settings: PlaygroundSettings, ctx: AdapterContext): ChatAdapter {
    const { createPlaygroundAdapter } = require("./index") as typeof import("./index");
    return createPlaygroundAdapter(settings, ctx);
  },
};
