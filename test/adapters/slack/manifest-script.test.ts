import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "@jest/globals";

const run = promisify(execFile);

describe("npm run slack:manifest", () => {
  it("prints a manifest for PUBLIC_URL with all eight escaped slash commands", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "src/scripts/slack-manifest.ts"], {
      env: { ...process.env, PUBLIC_URL: "https://shop.example.com", NODE_ENV: "development" },
      cwd: `${__dirname}/../../..`,
    });
    const manifest = JSON.parse(stdout) as {
      features: { slash_commands: { command: string; url: string; should_escape: boolean }[] };
      settings: { interactivity: { request_url: string } };
    };
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([
      "/groupbuy",
      "/join",
      "/group",
      "/cart",
      "/catalog",
      "/points",
      "/register",
      "/help",
    ]);
    expect(manifest.features.slash_commands.every((c) => c.should_escape)).toBe(true);
    expect(manifest.settings.interactivity.request_url).toBe("https://shop.example.com/slack/events");
  });
});
