import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { DiscordAdapter } from "../../../adapters/discord";
import { createDiscordSigner, type DiscordSigner } from "../../support/discord-sign";
import { type FakeDiscordApi, startFakeDiscordApi } from "../../support/fake-discord-api";
import { type ChatStack, discordOn, eventually, PUBLIC_URL, startChatStack } from "../telegram/chat-stack";

const APP_ID = "100000000000000001";
const GUILD = "300000000000000003";
const CHANNEL = "400000000000000004";

let api: FakeDiscordApi;
let stack: ChatStack;
let adapter: DiscordAdapter;
let signer: DiscordSigner;
let nextId = 500000000000000000n;

const alice = { id: "210000000000000001", username: "alice", global_name: "Alice" };
const bob = { id: "210000000000000002", username: "bob", global_name: "Bob" };
const carol = { id: "210000000000000003", username: "carol", global_name: "Carol" };

beforeAll(async () => {
  api = await startFakeDiscordApi({ applicationId: APP_ID });
  signer = createDiscordSigner();
  stack = await startChatStack("dc");
  adapter = discordOn(stack, api, APP_ID, signer.publicKeyHex);
  await stack.attach(adapter);
});

afterAll(async () => {
  await stack?.close();
  await api?.close();
});

type Option = { name: string; type: number; value?: string | number; options?: Option[] };

/** `permissions`: the member's permission bits in the channel, as Discord sends them (a decimal string). */
function command(
  user: typeof alice,
  name: string,
  options: Option[] = [],
  inGuild = true,
  permissions?: string,
) {
  const id = String(++nextId);
  return {
    id,
    application_id: APP_ID,
    type: 2,
    token: `token-${id}`,
    version: 1,
    ...(inGuild ? { guild_id: GUILD, member: { user, ...(permissions ? { permissions } : {}) } } : { user }),
    channel_id: CHANNEL,
    data: { id: "1", name, type: 1, options },
  };
}

const str = (name: string, value: string): Option => ({ name, type: 3, value });
const int = (name: string, value: number): Option => ({ name, type: 4, value });

async function send(payload: unknown, headers?: Record<string, string>) {
  const body = JSON.stringify(payload);
  return fetch(`${stack.base}/discord/interactions`, {
    method: "POST",
    headers: headers ?? signer.headers(body),
    body,
  });
}

/** The follow-up edit of the deferred answer of one interaction. */
function followUpOf(interaction: { token: string }) {
  return eventually(
    () =>
      api.calls.find(
        (c) =>
          c.route.startsWith(`/webhooks/${APP_ID}/${interaction.token}`) &&
          (c.method === "PATCH" || c.method === "POST") &&
          c.status >= 200 &&
          c.status < 300,
      ),
    `a follow-up for ${interaction.token}`,
  );
}

function contentOf(call: { body: unknown }): string {
  return String((call.body as { content?: unknown }).content ?? "");
}

describe("Discord HTTP interactions", () => {
  it("answers PING with PONG", async () => {
    const res = await send({ id: "1", application_id: APP_ID, type: 1, token: "t", version: 1 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 1 });
  });

  it("refuses a bad or missing signature with 401 and no effect", async () => {
    const payload = command(alice, "groupbuy", [str("product", "KB-75")]);
    const body = JSON.stringify(payload);
    const forged = createDiscordSigner().headers(body);
    const before = api.calls.length;
    const bad = await send(payload, forged);
    const none = await send(payload, { "content-type": "application/json" });
    const tampered = await send({ ...payload, id: "999" }, signer.headers(body));
    expect([bad.status, none.status, tampered.status]).toEqual([401, 401, 401]);
    expect(api.calls.length).toBe(before);
    expect(await stack.engine.users.get(`discord:${alice.id}`)).toBeNull();
  });

  it("defers within the request, then follows up through the webhook with the group code", async () => {
    const payload = command(alice, "groupbuy", [
      str("product", "KB-75"),
      int("size", 3),
      str("members", `<@${bob.id}> <@!${carol.id}>`),
    ]);
    const res = await send(payload);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 5 });
    const edit = await followUpOf(payload);
    expect(edit.method).toBe("PATCH");
    expect(edit.route).toBe(`/webhooks/${APP_ID}/${payload.token}/messages/@original`);
    expect(edit.authorization).toBeUndefined();
    expect(contentOf(edit)).toMatch(new RegExp(`${PUBLIC_URL}/g/[0-9A-Z]{13}`));
  });

  it("DMs mentioned members by opening a DM channel, and records 50007 on a member with DMs closed", async () => {
    api.closeDms(carol.id);
    const payload = command(alice, "groupbuy", [
      str("product", "MAT-XL"),
      str("members", `<@${bob.id}> <@${carol.id}>`),
    ]);
    await send(payload);
    const code = /\/g\/([0-9A-Z]{13})/.exec(contentOf(await followUpOf(payload)))?.[1];
    expect(code).toBeDefined();
    await stack.flushOutbox();
    expect(api.callsTo("POST", /^\/users\/@me\/channels$/).length).toBeGreaterThan(0);
    expect(api.dmsTo(bob.id).some((m) => JSON.stringify(m).includes(code!))).toBe(true);
    expect(api.dmsTo(carol.id)).toHaveLength(0);
    const failed = api.calls.filter((c) => c.status === 403 && c.route.endsWith("/messages"));
    expect(failed.length).toBeGreaterThan(0);
    expect((await stack.engine.users.get(`discord:${carol.id}`))?.dmFailure?.reason).toMatch(/50007/);
  });

  it("defers /cart ephemerally and follows up with the session code", async () => {
    const payload = command(bob, "cart", [{ name: "add", type: 1, options: [str("sku", "KB-75")] }]);
    const res = await send(payload);
    expect(await res.json()).toEqual({ type: 5, data: { flags: 64 } });
    expect(contentOf(await followUpOf(payload))).toMatch(/\/s\/\d{20,}-[A-Za-z0-9_-]{22,}/);
  });

  it("never repeats the effect of an interaction id seen twice", async () => {
    const open = command(alice, "groupbuy", [str("product", "SW-LIN")]);
    await send(open);
    const code = /\/g\/([0-9A-Z]{13})/.exec(contentOf(await followUpOf(open)))?.[1];
    const join = command(bob, "join", [str("code", code!)]);
    await send(join);
    await followUpOf(join);
    await send(join);
    // Give a wrongly repeated command every chance to land before counting.
    await stack.flushOutbox();
    expect(await stack.engine.orders.forGroup(code!)).toHaveLength(1);
    const followUps = api.calls.filter((c) => c.route.startsWith(`/webhooks/${APP_ID}/${join.token}`));
    expect(followUps).toHaveLength(1);
  });

  it("waits out a 429 on the follow-up (Retry-After) and still delivers it", async () => {
    api.rateLimitNext("PATCH", /^\/webhooks\//, 1);
    const payload = command(bob, "catalog");
    await send(payload);
    const edit = await followUpOf(payload);
    expect(contentOf(edit)).toContain("KB-75");
    const attempts = api.calls.filter((c) => c.route.startsWith(`/webhooks/${APP_ID}/${payload.token}`));
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
  });

  it("makes a user error private: the public placeholder is removed and only the caller is told", async () => {
    const payload = command(alice, "join", [str("code", "NOPE")]);
    await send(payload);
    const answer = await followUpOf(payload);
    expect(answer.method).toBe("POST");
    expect(((answer.body as { flags?: number }).flags ?? 0) & 64).toBe(64); // ephemeral
    expect(
      api.callsTo("DELETE", new RegExp(`/webhooks/${APP_ID}/${payload.token}/messages/@original`)),
    ).toHaveLength(1);
  });

  it("runs the command a button carries, for the member who pressed it", async () => {
    const open = command(alice, "groupbuy", [str("product", "KB-75")]);
    await send(open);
    const edit = await followUpOf(open);
    const button = JSON.stringify(edit.body).match(/"custom_id":"(run:\/join [0-9A-Z]{13})"/)?.[1];
    expect(button).toBeDefined();
    const id = String(++nextId);
    const click = {
      id,
      application_id: APP_ID,
      type: 3,
      token: `token-${id}`,
      version: 1,
      guild_id: GUILD,
      member: { user: carol },
      channel_id: CHANNEL,
      data: { custom_id: button, component_type: 2 },
    };
    const res = await send(click);
    expect(await res.json()).toEqual({ type: 5, data: { flags: 64 } });
    await followUpOf(click);
    const code = button!.slice(-13);
    const orders = await stack.engine.orders.forGroup(code);
    expect(orders.map((o) => o.userKey)).toEqual([`discord:${carol.id}`]);
  });
});

describe("Discord: leave(code) and group(code, action, duration, reason)", () => {
  const dave = { id: "210000000000000004", username: "dave", global_name: "Dave" };
  const erin = { id: "210000000000000005", username: "erin", global_name: "Erin" };
  /** Send Messages and View Channel; with Manage Server (1 << 5); Administrator (1 << 3) alone. */
  const MEMBER = String((1n << 10n) | (1n << 11n));
  const MANAGER = String((1n << 10n) | (1n << 11n) | (1n << 5n));
  const ADMINISTRATOR = String(1n << 3n);

  async function answer(payload: ReturnType<typeof command>): Promise<string> {
    await send(payload);
    return contentOf(await followUpOf(payload));
  }
  /** An error to a public command: the "thinking…" message goes and an ephemeral follow-up tells the caller. */
  async function refusal(payload: ReturnType<typeof command>) {
    await send(payload);
    return eventually(
      () => api.calls.find((c) => c.route === `/webhooks/${APP_ID}/${payload.token}` && c.method === "POST"),
      "the private refusal",
    );
  }
  async function openGroup(): Promise<string> {
    const text = await answer(
      command(alice, "groupbuy", [str("product", "KB-75"), int("size", 2), int("max", 3)]),
    );
    return /\/g\/([0-9A-Z]{13})/.exec(text)![1]!;
  }

  it("leave(code) cancels the member's order; leaving again is refused privately", async () => {
    const code = await openGroup();
    await answer(command(dave, "join", [str("code", code)]));
    expect(await answer(command(dave, "leave", [str("code", code)]))).toContain(`left group ${code}: order`);
    expect((await stack.engine.orders.forGroup(code)).map((o) => o.status)).toEqual(["cancelled"]);
    const again = await refusal(command(dave, "leave", [str("code", code)]));
    expect(contentOf(again)).toContain(`You are not a member of group ${code}`);
    expect(((again.body as { flags?: number }).flags ?? 0) & 64).toBe(64);
  });

  it("a member without Manage Server is refused; with it, or as Administrator, may act", async () => {
    const code = await openGroup();
    const line = await refusal(
      command(erin, "group", [str("code", code), str("action", "cancel")], true, MEMBER),
    );
    expect(contentOf(line)).toBe(
      `Only the organiser of group ${code} or an admin of the place it was opened in may cancel it; ask them`,
    );
    expect((await stack.engine.groups.status(code, "discord:0")).state).toBe("open");

    const extended = await answer(
      command(
        erin,
        "group",
        [str("code", code), str("action", "extend"), str("duration", "2h")],
        true,
        MANAGER,
      ),
    );
    expect(extended).toContain(`Group ${code} now stays open until`);
    const cancelled = await answer(
      command(
        dave,
        "group",
        [str("code", code), str("action", "cancel"), str("reason", "out of stock")],
        true,
        ADMINISTRATOR,
      ),
    );
    expect(cancelled).toContain(`Group ${code} is cancelled: out of stock.`);
  });

  it("the organiser closes at size, and remind and close below it answer as they should", async () => {
    const code = await openGroup();
    await answer(command(dave, "join", [str("code", code)]));
    const missing = await refusal(command(alice, "group", [str("code", code), str("action", "close")]));
    expect(contentOf(missing)).toContain(`needs 1 more member (of 2)`);
    expect(await answer(command(alice, "group", [str("code", code), str("action", "remind")]))).toContain(
      "nobody to remind",
    );
    await answer(command(erin, "join", [str("code", code)]));
    expect(await answer(command(alice, "group", [str("code", code), str("action", "close")]))).toContain(
      `Group ${code} is closed and complete with 2 members`,
    );
  });
});
