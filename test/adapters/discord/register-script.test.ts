import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type FakeDiscordApi, startFakeDiscordApi } from "../../support/fake-discord-api";

const run = promisify(execFile);
let api: FakeDiscordApi;

beforeAll(async () => {
  api = await startFakeDiscordApi();
});
afterAll(async () => {
  await api?.close();
});

describe("npm run discord:register", () => {
  it("registers the slash commands at DISCORD_API_URL with the bot token", async () => {
    const { stdout } = await run(
      process.execPath,
      ["node_modules/tsx/dist/cli.mjs", "adapters/discord/register-script.ts"],
      {
        env: {
          PATH: process.env.PATH ?? "",
          NODE_ENV: "test",
          DISCORD_APPLICATION_ID: "100000000000000077",
          DISCORD_BOT_TOKEN: "fake-discord-bot-token-0123456789",
          DISCORD_API_URL: api.apiUrl,
        },
        timeout: 60_000,
      },
    );
    expect(stdout).toContain("registered 9 commands");
    const put = api.callsTo("PUT", /^\/applications\/100000000000000077\/commands$/);
    expect(put).toHaveLength(1);
    expect(put[0]?.authorization).toBe("Bot fake-discord-bot-token-0123456789");
  });

  it("refuses to run without the application id and token, naming them", async () => {
    const failure = await run(
      process.execPath,
      ["node_modules/tsx/dist/cli.mjs", "adapters/discord/register-script.ts"],
      {
        env: { PATH: process.env.PATH ?? "", NODE_ENV: "test" },
        timeout: 60_000,
      },
    ).catch((error: { code?: number; stderr?: string }) => error);
    expect((failure as { code?: number }).code).toBe(2);
    expect((failure as { stderr?: string }).stderr).toContain("DISCORD_APPLICATION_ID");
  });
});
