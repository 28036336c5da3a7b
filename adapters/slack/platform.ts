import { z } from "zod";
import { bothOrNeither, ConfigError, httpUrl, secret } from "../../src/config/variables";
import type { AdapterContext, ChatAdapter, PlatformDefinition } from "../../src/platform";
import { html } from "../../src/web/html";
import { SlackCommandNames, slackCommandName } from "./command-names";
import { slackManifest } from "./manifest";
import type { SlackSettings } from "./settings";

export const slackPlatform: PlatformDefinition<SlackSettings> = {
  id: "slack",
  label: "Slack",
  variables: {
    SLACK_SIGNING_SECRET: {
      schema: secret(),
      expected: "the signing secret from the Slack app's Basic Information page",
    },
    SLACK_BOT_TOKEN: {
      schema: z.string().startsWith("xoxb-").optional(),
      expected: "a bot token starting with xoxb-",
    },
    SLACK_API_URL: {
      schema: httpUrl().optional(),
      expected: "an http(s) URL ending in /api/, e.g. http://127.0.0.1:9000/api/",
    },
    SLACK_COMMAND_PREFIX: {
      // Slack names are lowercase, without spaces, at most 32 characters: the longest name then fits.
      schema: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,15}$/)
        .optional(),
      expected: "up to 16 lowercase letters, digits and dashes, e.g. cc-",
    },
    SLACK_APP_TOKEN: {
      schema: z
        .string()
        .regex(/^xapp-\S+$/)
        .optional(),
      expected:
        "an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)",
    },
  },

  configure(values) {
    const v = values as Record<
      | "SLACK_SIGNING_SECRET"
      | "SLACK_BOT_TOKEN"
      | "SLACK_API_URL"
      | "SLACK_COMMAND_PREFIX"
      | "SLACK_APP_TOKEN",
      string | undefined
    >;
    // Socket Mode (an app token) receives nothing over HTTP, so it needs no signing secret.
    if (v.SLACK_APP_TOKEN && !v.SLACK_BOT_TOKEN) {
      throw new ConfigError("SLACK_BOT_TOKEN", "a bot token starting with xoxb- (SLACK_APP_TOKEN needs it)");
    }
    const enabled = v.SLACK_APP_TOKEN
      ? true
      : bothOrNeither(v.SLACK_SIGNING_SECRET, v.SLACK_BOT_TOKEN, "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN");
    return {
      enabled,
      signingSecret: v.SLACK_SIGNING_SECRET,
      botToken: v.SLACK_BOT_TOKEN ?? "",
      apiUrl: v.SLACK_API_URL,
      appToken: v.SLACK_APP_TOKEN,
      commandPrefix: v.SLACK_COMMAND_PREFIX ?? "",
    };
  },

  parseMention(word, caller) {
    // With should_escape the text carries `<@U123>` or `<@U123|name>`; ids are team-scoped.
    const m = /^<@([UW][A-Z0-9]{1,20})(?:\|([^>]*))?>$/.exec(word);
    if (!m) return undefined;
    const team = caller.id.includes(":") ? caller.id.slice(0, caller.id.indexOf(":")) : undefined;
    const id = team ? `${team}:${m[1]}` : m[1]!;
    return { raw: word, platform: "slack", id, ...(m[2] ? { username: m[2], displayName: m[2] } : {}) };
  },

  publishedCommands(commands, { settings, publicUrl }) {
    const names = new SlackCommandNames(commands, settings.commandPrefix);
    return slackManifest(commands, { publicUrl, names, socketMode: Boolean(settings.appToken) });
  },

  joinHint({ command, settings }) {
    // Slack keeps `/join` for itself: the command goes by its Slack name.
    const slackCommand = command.replace(
      /^\/(\S+)/,
      (_m, name: string) => `/${slackCommandName(name, settings.commandPrefix)}`,
    );
    return html`In a channel with the crowdcart app, send <code>${slackCommand}</code>.`;
  },

  create(settings: SlackSettings, ctx: AdapterContext): ChatAdapter {
    // Loaded only when Slack is on: Bolt is heavy, and most starts (playground, tests) never use it.
    const { createSlackAdapter } = require("./index") as typeof import("./index");
    return createSlackAdapter(settings, ctx);
  },
};
