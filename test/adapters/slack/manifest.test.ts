import { describe, expect, it } from "@jest/globals";
import { SlackCommandNames } from "../../../adapters/slack/command-names";
import { slackManifest } from "../../../adapters/slack/manifest";
import { COMMANDS } from "../../../commands";

/** Slack's built-in commands: a manifest declaring any one of them is refused as a whole. */
const SLACK_BUILT_INS = [
  "join",
  "leave",
  "status",
  "me",
  "away",
  "dnd",
  "shrug",
  "remind",
  "msg",
  "feed",
  "who",
  "collapse",
  "expand",
  "open",
  "search",
  "topic",
  "mute",
  "pro",
  "shortcuts",
];

type Manifest = ReturnType<typeof slackManifest>;

/** Every rule Slack applies to the parts of a manifest crowdcart writes, as one list of problems. */
function problems(manifest: Manifest): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  const info = manifest.display_information;
  check(info.name.length >= 1 && info.name.length <= 35, "app name: 1 to 35 characters");
  check(info.description.length <= 140, "description: at most 140 characters");
  const bot = manifest.features.bot_user.display_name;
  check(/^[a-z0-9._-]{1,80}$/.test(bot), `bot display name ${bot}: a-z 0-9 - _ . and at most 80`);
  const commands = manifest.features.slash_commands;
  check(commands.length <= 50, "at most 50 slash commands");
  const seen = new Set<string>();
  for (const c of commands) {
    check(
      /^\/[a-z0-9-]{1,31}$/.test(c.command),
      `${c.command}: lowercase, no spaces, at most 32 with the slash`,
    );
    check(!SLACK_BUILT_INS.includes(c.command.slice(1)), `${c.command}: a Slack built-in`);
    check(!seen.has(c.command), `${c.command}: declared twice`);
    seen.add(c.command);
    check(c.description.length >= 1 && c.description.length <= 2000, `${c.command}: description 1 to 2000`);
    check(c.usage_hint.length <= 1000, `${c.command}: usage hint at most 1000`);
    if (!manifest.settings.socket_mode_enabled)
      check(/^https?:\/\//.test((c as { url?: string }).url ?? ""), `${c.command}: a request URL`);
  }
  return out;
}

const build = (prefix: string, socketMode = false) =>
  slackManifest(COMMANDS, {
    publicUrl: "https://shop.example.com/",
    names: new SlackCommandNames(COMMANDS, prefix),
    socketMode,
  });

describe("the Slack app manifest", () => {
  it.each([
    ["no prefix", ""],
    ["a short prefix", "cc-"],
    ["the longest prefix the config accepts", "abcdefghijklmnop"],
  ])("passes Slack's rules with %s", (_what, prefix) => {
    expect(problems(build(prefix))).toEqual([]);
    expect(problems(build(prefix, true))).toEqual([]);
  });

  it("publishes /joingroup for /join and one /crowdcart that runs every command", () => {
    const commands = build("").features.slash_commands;
    expect(commands.map((c) => c.command)).toEqual([
      "/groupbuy",
      "/joingroup",
      "/group",
      "/cart",
      "/catalog",
      "/points",
      "/register",
      "/help",
      "/crowdcart",
    ]);
    expect(commands.find((c) => c.command === "/joingroup")?.usage_hint).toBe(
      "<groupCode> [<sku>] [qty=<n>]",
    );
    expect(commands.find((c) => c.command === "/crowdcart")?.usage_hint).toBe("<command> [arguments]");
  });

  it("prefixes every published name with SLACK_COMMAND_PREFIX", () => {
    const commands = build("cc-").features.slash_commands.map((c) => c.command);
    expect(commands).toContain("/cc-joingroup");
    expect(commands).toContain("/cc-crowdcart");
    expect(commands.every((c) => c.startsWith("/cc-"))).toBe(true);
  });

  it("over HTTP, sends every request to PUBLIC_URL/slack/events with mentions escaped to ids", () => {
    const manifest = build("");
    for (const c of manifest.features.slash_commands) {
      expect(c.should_escape).toBe(true);
      expect((c as { url?: string }).url).toBe("https://shop.example.com/slack/events");
    }
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: "https://shop.example.com/slack/events",
    });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(["commands", "chat:write", "im:write", "users:read"]),
    );
  });

  it("with Socket Mode, declares no request URL at all", () => {
    const manifest = build("", true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(manifest)).not.toContain("/slack/events");
  });

  it("turns the App Home Messages tab on, so invitees can write to the app", () => {
    expect(build("").features.app_home).toMatchObject({
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  it("would be caught declaring a Slack built-in or an invalid name", () => {
    const bad = build("");
    bad.features.slash_commands.push({ ...bad.features.slash_commands[0]!, command: "/join" });
    bad.features.slash_commands.push({ ...bad.features.slash_commands[0]!, command: "/Group Buy" });
    expect(problems(bad)).toEqual([
      "/join: a Slack built-in",
      "/Group Buy: lowercase, no spaces, at most 32 with the slash",
    ]);
  });
});
