import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createDiscordNames } from "../../../adapters/discord/names";
import { createDiscordRest } from "../../../adapters/discord/send";
import { silentLogger } from "../../../src/logger";
import { FAKE_DISCORD_TOKEN, type FakeDiscordApi, startFakeDiscordApi } from "../../support/fake-discord-api";

let api: FakeDiscordApi;

beforeAll(async () => {
  api = await startFakeDiscordApi();
});
afterAll(async () => {
  await api?.close();
});

const mention = (id: string) => ({ raw: `<@${id}>`, platform: "discord" as const, id });
const lookups = (id: string) => api.callsTo("GET", new RegExp(`^/users/${id}$`)).length;

describe("Discord names for mentioned members", () => {
  it("takes the interaction's resolved user without asking the API", async () => {
    const names = createDiscordNames(
      createDiscordRest({ token: FAKE_DISCORD_TOKEN, apiUrl: api.apiUrl }),
      silentLogger,
    );
    const resolved = {
      users: { "240000000000000001": { id: "240000000000000001", username: "ines", global_name: "Inès" } },
    };
    expect(await names.resolve(mention("240000000000000001"), resolved)).toEqual({
      platform: "discord",
      id: "240000000000000001",
      displayName: "Inès",
      username: "ines",
    });
    expect(lookups("240000000000000001")).toBe(0);
  });

  it("asks GET /users/{id} once an hour, so a new name shows after at most an hour", async () => {
    let now = 0;
    const names = createDiscordNames(
      createDiscordRest({ token: FAKE_DISCORD_TOKEN, apiUrl: api.apiUrl }),
      silentLogger,
      () => now,
    );
    const id = "240000000000000002";
    api.addUser({ id, username: "jo", global_name: "Jo" });
    expect((await names.resolve(mention(id), undefined))?.displayName).toBe("Jo");
    api.addUser({ id, username: "jo", global_name: "Jo Renamed" });
    now += 59 * 60_000;
    expect((await names.resolve(mention(id), undefined))?.displayName).toBe("Jo");
    expect(lookups(id)).toBe(1);
    now += 2 * 60_000;
    expect((await names.resolve(mention(id), undefined))?.displayName).toBe("Jo Renamed");
    expect(lookups(id)).toBe(2);
  });

  it("leaves the name to the id for a user Discord does not know, and does not ask again at once", async () => {
    const names = createDiscordNames(
      createDiscordRest({ token: FAKE_DISCORD_TOKEN, apiUrl: api.apiUrl }),
      silentLogger,
    );
    expect(await names.resolve(mention("240000000000000003"), undefined)).toBeUndefined();
    expect(await names.resolve(mention("240000000000000003"), undefined)).toBeUndefined();
    expect(lookups("240000000000000003")).toBe(1);
  });
});
