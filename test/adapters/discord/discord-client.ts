import { createHash } from "node:crypto";
import { COMMANDS } from "../../../commands";
import type { ArgSpec } from "../../../src/chat/command";
import { tokenize } from "../../../src/chat/tokenize";
import type { DiscordSigner } from "../../support/discord-sign";
import type { FakeDiscordApi } from "../../support/fake-discord-api";
import { eventually } from "../telegram/chat-stack";

export const DISCORD_APP_ID = "100000000000000001";
export const DISCORD_TOKEN = "fake-discord-bot-token-0123456789";
const GUILD = "300000000000000003";
const CHANNEL = "400000000000000004";

type Option = { name: string; type: number; value?: string | number; options?: Option[] };

/**
 * Plays Discord's part against a running service: a line such as `/groupbuy KB-75 size=2 <@1>` is
 * turned into the slash-command interaction a Discord client would send (the user fills the options
 * Discord shows), signed with the test key and POSTed to the interactions endpoint; the answer is
 * read from the deferred response and the webhook follow-up the fake Discord API received.
 */
export function discordClient(base: string, api: FakeDiscordApi, signer: DiscordSigner) {
  let next = 700000000000000000n;
  const idOf = (name: string) =>
    `2${String(createHash("sha256").update(name).digest().readBigUInt64BE(0)).padStart(20, "0").slice(0, 17)}`;

  function interaction(user: string, line: string) {
    const id = String(++next);
    const [head = "", ...rest] = line.trim().split(/\s+/);
    return {
      id,
      application_id: DISCORD_APP_ID,
      type: 2,
      token: `itoken-${id}`,
      version: 1,
      guild_id: GUILD,
      channel_id: CHANNEL,
      member: { user: { id: idOf(user), username: user, global_name: user } },
      data: {
        id: "1",
        name: head.replace(/^\//, ""),
        type: 1,
        options: optionsFor(head.replace(/^\//, ""), rest.join(" ")),
      },
    };
  }

  async function post(payload: unknown): Promise<{ type: number; data?: { flags?: number } }> {
    const body = JSON.stringify(payload);
    const res = await fetch(`${base}/discord/interactions`, {
      method: "POST",
      headers: signer.headers(body),
      body,
    });
    if (res.status !== 200) throw new Error(`interactions endpoint answered ${res.status}`);
    return (await res.json()) as { type: number; data?: { flags?: number } };
  }

  /** The first message of the answer, sent through the interaction's webhook after the deferral. */
  function answerTo(payload: { token: string }, line: string) {
    return eventually(
      () =>
        api.calls.find(
          (c) =>
            c.route.startsWith(`/webhooks/${DISCORD_APP_ID}/${payload.token}`) &&
            (c.method === "PATCH" || c.method === "POST") &&
            c.status === 200,
        ),
      `the answer to ${line}`,
    );
  }

  return {
    idOf,
    mention: (name: string) => `<@${idOf(name)}>`,
    async send(user: string, line: string): Promise<{ text: string; private: boolean }> {
      const payload = interaction(user, line);
      const deferred = await post(payload);
      const answer = await answerTo(payload, line);
      const body = answer.body as { content?: string; flags?: number };
      const flags = answer.method === "POST" ? body.flags : deferred.data?.flags;
      return { text: shown(String(body.content ?? "")), private: ((flags ?? 0) & 64) === 64 };
    },
    /** Both deliveries are acknowledged at once; this returns once the command's answer arrived. */
    async sendTwice(user: string, line: string): Promise<void> {
      const payload = interaction(user, line);
      await post(payload);
      await post(payload);
      await answerTo(payload, line);
    },
    dms: (user: string) =>
      api.dmsTo(idOf(user)).map((m) => shown(String((m as { content?: unknown }).content ?? ""))),
    /** The DMs to `user` as the API received them (content, components). */
    dmMessages: (user: string) => api.dmsTo(idOf(user)),
  };
}

/** Content as Discord shows it: a backslash before punctuation only keeps it from formatting. */
export function shown(content: string): string {
  return content.replace(/\\([!-/:-@[-`{-~])/g, "$1");
}

/** What a member fills in Discord's option form, from the same definitions the service registers. */
function optionsFor(command: string, text: string): Option[] {
  const definition = COMMANDS.find((c) => c.name === command);
  if (!definition) return [];
  const tokens = tokenize(text);
  let specs: readonly ArgSpec[] = definition.args ?? [];
  let sub: string | undefined;
  if (definition.subcommands) {
    const first = tokens[0];
    const named =
      first && !first.key ? definition.subcommands.find((s) => s.name === first.value) : undefined;
    if (named) tokens.shift();
    sub = named?.name ?? definition.defaultSubcommand;
    specs = definition.subcommands.find((s) => s.name === sub)?.args ?? [];
  }
  const options: Option[] = [];
  const mentions: string[] = [];
  const positional = specs.filter((s) => s.positional && s.type !== "mentions");
  for (const token of tokens) {
    if (!token.key && /^<@!?\d+>$/.test(token.value)) {
      mentions.push(token.value);
      continue;
    }
    const spec = token.key
      ? specs.find((s) => s.name === token.key)
      : positional.find((s) => !options.some((o) => o.name === s.name));
    const name = spec?.name ?? token.key ?? "unexpected";
    options.push(
      spec?.type === "integer" && /^-?\d+$/.test(token.value)
        ? { name, type: 4, value: Number(token.value) }
        : { name, type: 3, value: token.value },
    );
  }
  if (mentions.length) options.push({ name: "members", type: 3, value: mentions.join(" ") });
  return sub ? [{ name: sub, type: 1, options }] : options;
}
