import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { DiscordAdapter } from "../../../adapters/discord";
import { createDiscordSigner, type DiscordSigner } from "../../support/discord-sign";
import { type DiscordCall, type FakeDiscordApi, startFakeDiscordApi } from "../../support/fake-discord-api";
import { type ChatStack, discordOn, eventually, PUBLIC_URL, startChatStack } from "../telegram/chat-stack";
import { shown } from "./discord-client";

const APP_ID = "100000000000000021";
const MEMBERS = 34;

let api: FakeDiscordApi;
let stack: ChatStack;
let adapter: DiscordAdapter;
let signer: DiscordSigner;
let nextId = 510000000000000000n;

interface Person {
  id: string;
  username: string;
  global_name: string;
}

const organiser: Person = { id: "211000000000000001", username: "olga", global_name: "Olga the Organiser" };
// Long display names, one hostile: it must read as written, not as markdown.
const members: Person[] = Array.from({ length: MEMBERS }, (_, i) => ({
  id: String(212000000000000000n + BigInt(i)),
  username: `member${i}`,
  global_name:
    i === 7
      ? "# **Boss** ||hidden|| [click](https://evil.test) <@1> `x`"
      : `Member Number ${i} Of The Buying Club`,
}));

beforeAll(async () => {
  api = await startFakeDiscordApi({ applicationId: APP_ID });
  signer = createDiscordSigner();
  stack = await startChatStack("dclong");
  adapter = discordOn(stack, api, APP_ID, signer.publicKeyHex);
  await stack.attach(adapter);
});
afterAll(async () => {
  await stack?.close();
  await api?.close();
});

type Option = { name: string; type: number; value?: string | number; options?: Option[] };

/**
 * Runs a slash command as `user` and returns every message of its answer, in order: the answer is
 * complete once the message carrying the buttons arrived (the last), or its only message.
 */
async function run(
  user: Person,
  name: string,
  options: Option[],
  resolved?: Record<string, Person>,
  withButtons = true,
) {
  const id = String(++nextId);
  const token = `token-${id}`;
  const payload = {
    id,
    application_id: APP_ID,
    type: 2,
    token,
    version: 1,
    guild_id: "300000000000000003",
    channel_id: "400000000000000004",
    member: { user },
    data: { id: "1", name, type: 1, options, ...(resolved ? { resolved: { users: resolved } } : {}) },
  };
  const body = JSON.stringify(payload);
  const res = await fetch(`${stack.base}/discord/interactions`, {
    method: "POST",
    headers: signer.headers(body),
    body,
  });
  expect(res.status).toBe(200);
  const answer = (c: DiscordCall) =>
    c.route.startsWith(`/webhooks/${APP_ID}/${token}`) && c.method !== "DELETE";
  // The answer is complete once the message carrying the buttons has arrived.
  await eventually(
    () =>
      api.calls.find((c) => answer(c) && (!withButtons || JSON.stringify(c.body).includes('"components"'))),
    `the answer to /${name}`,
  );
  const calls = api.calls.filter(answer);
  for (const call of calls) expect({ status: call.status, body: call.body }).toMatchObject({ status: 200 });
  return calls.map(
    (c) => c.body as { content: string; flags?: number; components?: unknown[]; allowed_mentions?: unknown },
  );
}

const str = (name: string, value: string): Option => ({ name, type: 3, value });

describe("Discord replies longer than one message", () => {
  let code = "";

  it("names mentioned members from the interaction's resolved users or GET /users/{id}, never by id", async () => {
    // Half the names come with the interaction, the rest only from the API.
    for (const m of members.slice(MEMBERS / 2)) api.addUser(m);
    api.closeDms(members[3]!.id);
    api.closeDms(members[20]!.id);
    const resolved = Object.fromEntries(members.slice(0, MEMBERS / 2).map((m) => [m.id, m]));
    const mentions = members.map((m) => `<@${m.id}>`).join(" ");
    const answer = await run(
      organiser,
      "groupbuy",
      [str("product", "KB-75"), { name: "size", type: 4, value: 40 }, str("members", mentions)],
      resolved,
    );
    const text = answer.map((m) => shown(m.content)).join("\n");
    code = /Group code: ([0-9A-Z]{13})/.exec(text)?.[1] ?? "";
    expect(code).not.toBe("");
    for (const m of members) {
      expect(text).toContain(m.global_name);
      expect(text).not.toContain(m.id);
    }
    const looked = api.callsTo("GET", /^\/users\/\d+$/).map((c) => c.route.slice("/users/".length));
    expect(new Set(looked)).toEqual(new Set(members.slice(MEMBERS / 2).map((m) => m.id)));
    await stack.flushOutbox();
    const invite = api.dmsTo(members[0]!.id).map((m) => shown((m as { content: string }).content));
    expect(invite.join("\n")).toContain("Olga the Organiser invited you");
  });

  it("shows the organiser a /group of 30+ members in several messages, losing no detail, link or flag", async () => {
    // Writing to the bot clears a "could not DM" mark, so the two whose DMs failed stay away.
    const unreachable = [members[3]!, members[20]!];
    for (const m of members) {
      if (unreachable.includes(m)) continue;
      await run(m, "join", [str("code", code)]);
      await run(
        m,
        "register",
        [str("email", `${m.username}@example.com`), str("region", "EU")],
        undefined,
        false,
      );
    }
    const answer = await run(organiser, "group", [str("code", code)]);
    expect(answer.length).toBeGreaterThan(1);
    for (const m of answer) {
      expect(m.content.length).toBeLessThanOrEqual(2000);
      expect((m.flags ?? 0) & 4).toBe(4); // no link previews
    }
    // Buttons under the last message only; every message private (the deferral was ephemeral).
    expect(answer.map((m) => Boolean(m.components))).toEqual(answer.map((_, i) => i === answer.length - 1));
    for (const m of answer.slice(1)) expect((m.flags ?? 0) & 64).toBe(64);
    const text = answer.map((m) => shown(m.content)).join("\n");
    for (const m of members.filter((m) => !unreachable.includes(m))) {
      expect(text).toContain(`• ${m.global_name} (discord, region EU, ${m.username}@example.com)`);
    }
    const waiting = /Invited, not joined yet: (.*)\./.exec(text)?.[1] ?? "";
    for (const m of unreachable) expect(waiting).toMatch(`${m.global_name} (could not DM: discord 50007`);
    expect(text).toContain(`${PUBLIC_URL}/g/${code}`);
  });

  it("keeps a hostile name literal: no heading, bold, spoiler, masked link or mention from it", async () => {
    const hostile = members[7]!;
    // Their name starts the reply's first line, where `# ` would make a heading.
    const [first] = await run(hostile, "groupbuy", [str("product", "MAT-XL")]);
    expect(
      first?.content.startsWith(
        String.raw`\# \*\*Boss\*\* \|\|hidden\|\| \[click\](https://evil.test) \<@1\> \`x\` opened a group buy`,
      ),
    ).toBe(true);
    expect(shown(first!.content)).toContain(`${hostile.global_name} opened a group buy`);
    expect(first?.allowed_mentions).toEqual({ parse: [] });
  });
});
