import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "@jest/globals";

const run = promisify(execFile);

async function manifest(env: Record<string, string>, args: string[] = []) {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "adapters/slack/manifest-script.ts", ...args],
    { env: { ...process.env, NODE_ENV: "development", ...env }, cwd: `${__dirname}/../../..` },
  );
  return JSON.parse(stdout) as {
    features: { slash_commands: { command: string; url?: string; should_escape: boolean }[] };
    settings: { interactivity: { request_url?: string }; socket_mode_enabled: boolean };
  };
}

describe("npm run slack:manifest", () => {
  it("prints a manifest for PUBLIC_URL with Slack's names for the commands", async () => {
    const out = await manifest({ PUBLIC_URL: "https://shop.example.com" });
    const commands = out.features.slash_commands.map((c) => c.command);
    expect(commands).toEqual(expect.arrayContaining(["/groupbuy", "/joingroup", "/cart", "/crowdcart"]));
    expect(commands).not.toContain("/join");
    expect(out.features.slash_commands.every((c) => c.should_escape)).toBe(true);
    expect(out.settings.interactivity.request_url).toBe("https://shop.example.com/slack/events");
    expect(out.settings.socket_mode_enabled).toBe(false);
  });

  it("prefixes the names with SLACK_COMMAND_PREFIX and switches to Socket Mode on request", async () => {
    const out = await manifest({ SLACK_COMMAND_PREFIX: "cc-" }, ["--socket-mode"]);
    expect(out.features.slash_commands.map((c) => c.command)).toContain("/cc-joingroup");
    expect(out.settings.socket_mode_enabled).toBe(true);
    expect(out.features.slash_commands.every((c) => c.url === undefined)).toBe(true);
  });

  it("writes a Socket Mode manifest when SLACK_APP_TOKEN is set, without being asked", async () => {
    const out = await manifest({ SLACK_APP_TOKEN: "xapp-1-A1-1-abc", SLACK_BOT_TOKEN: "xoxb-1-abc" });
    expect(out.settings.socket_mode_enabled).toBe(true);
    expect(out.settings.interactivity.request_url).toBeUndefined();
  });
});
