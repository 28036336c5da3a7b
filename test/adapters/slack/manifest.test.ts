import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { webApi } from "@slack/bolt";
import { SlackCommandNames } from "../../../adapters/slack/command-names";
import { slackManifest } from "../../../adapters/slack/manifest";
import { COMMANDS } from "../../../commands";
import { type FakeSlackApi, startFakeSlackApi } from "../../support/fake-slack-api";
import type { ManifestError } from "../../support/slack-manifest-rules";

let fake: FakeSlackApi;
let client: webApi.WebClient;
beforeAll(async () => {
  fake = await startFakeSlackApi();
  client = new webApi.WebClient(fake.configToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(async () => {
  await fake?.close();
});

type Manifest = ReturnType<typeof slackManifest>;

/** What Slack (here the fake, with Slack's rules) finds wrong with a manifest, one line a problem. */
async function problems(manifest: Manifest): Promise<string[]> {
  try {
    await client.apiCall("apps.manifest.validate", { manifest });
    return [];
  } catch (error) {
    const data = (error as { data?: { error?: string; errors?: ManifestError[] } }).data;
    expect(data?.error).toBe("invalid_manifest");
    return (data?.errors ?? []).map((e) => `${e.pointer}: ${e.message}`);
  }
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
  ])("passes Slack's validation with %s", async (_what, prefix) => {
    expect(await problems(build(prefix))).toEqual([]);
    expect(await problems(build(prefix, true))).toEqual([]);
  });

  it("publishes /joingroup for /join and one /crowdcart that runs every command", () => {
    const commands = build("").features.slash_commands;
    expect(commands.map((c) => c.command)).toEqual([
      "/groupbuy",
      "/joingroup",
      "/leavegroup",
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

  it("publishes a /leave command as /leavegroup, which Slack accepts", async () => {
    const manifest = slackManifest(COMMANDS, {
      publicUrl: "https://shop.example.com/",
      names: new SlackCommandNames(COMMANDS, ""),
      socketMode: false,
    });
    const leave = manifest.features.slash_commands.find((c) => c.command === "/leavegroup");
    expect(leave?.usage_hint).toBe("<groupCode>");
    expect(await problems(manifest)).toEqual([]);
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

  it("would be refused by Slack declaring a Slack built-in, an invalid name or no request URL", async () => {
    const bad = build("");
    const first = bad.features.slash_commands[0]!;
    const at = bad.features.slash_commands.length;
    bad.features.slash_commands.push({ ...first, command: "/join" });
    bad.features.slash_commands.push({ ...first, command: "/Group Buy" });
    bad.features.slash_commands.push({ ...first, command: "/cart2", url: "" });
    expect(await problems(bad)).toEqual([
      `/features/slash_commands/${at}/command: the slash command has an invalid name`,
      `/features/slash_commands/${at + 1}/command: the slash command has an invalid name: lowercase, no spaces, at most 32 characters with the slash`,
      `/features/slash_commands/${at + 2}/url: Slash commands require a Request URL`,
    ]);
  });
});
