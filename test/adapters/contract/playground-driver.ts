import { randomUUID } from "node:crypto";
import { loadConfig } from "../../../src/config";
import { silentLogger } from "../../../src/logger";
import { type Service, startService } from "../../../src/service";
import { freshDatabaseUri } from "../../support/db";
import { countHandled } from "../../support/handled-count";
import { type AdapterDriver, cardRef, isCard } from "./adapter-contract";

/** The real service with the playground on, driven over HTTP the way its page does. */
export async function startPlaygroundService(env: Record<string, string> = {}): Promise<Service> {
  const config = loadConfig(
    { NODE_ENV: "test", LOG_LEVEL: "silent", PORT: "0", ...env },
    "/nonexistent/.env",
  );
  return startService(config, silentLogger, {
    mongodbUri: freshDatabaseUri("playground"),
    engine: { outbox: { pollMs: 100, backoffBaseMs: 100 } },
  });
}

export async function playgroundDriver(env: Record<string, string> = {}): Promise<AdapterDriver> {
  const service = await startPlaygroundService(env);
  const base = `http://127.0.0.1:${service.port}`;
  const deleted: string[] = [];
  const post = async (user: string, text: string, eventId: string) => {
    const response = await fetch(`${base}/playground/commands`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user, text, eventId }),
    });
    return (await response.json()) as { text: string; visibility: string };
  };
  const driver: AdapterDriver = {
    publicUrl: service.publicUrl,
    mention: (name) => `@${name}`,
    commandName: (command) => command,
    async send(user, line) {
      const reply = await post(user, line, randomUUID());
      return { text: reply.text, private: reply.visibility === "private" };
    },
    sendAside: (user, line) => driver.send(user, line),
    async sendTwice(user, line) {
      const id = randomUUID();
      await post(user, line, id);
      await post(user, line, id);
    },
    async dms(user) {
      const response = await fetch(`${base}/playground/inbox?user=${encodeURIComponent(user)}`);
      const { messages } = (await response.json()) as { messages: { text: string }[] };
      return messages.map((m) => m.text);
    },
    async dmButtons(user) {
      const response = await fetch(`${base}/playground/inbox?user=${encodeURIComponent(user)}`);
      const { messages } = (await response.json()) as { messages: { buttons?: { command?: string }[] }[] };
      return messages.flatMap((m) => (m.buttons ?? []).flatMap((b) => (b.command ? [b.command] : [])));
    },
    async card(code) {
      // The transcript holds each post as it stands now (an edited one has moved on from its post
      // time); posts deleted here are remembered as they were.
      const response = await fetch(`${base}/playground/channel`);
      const { messages } = (await response.json()) as {
        messages: { text: string; at: string; updatedAt: string }[];
      };
      const cards = messages.filter((m) => isCard(code)(m.text));
      return {
        posts: [...deleted.filter(isCard(code)), ...cards.map((m) => m.text)],
        edits: cards.filter((m) => m.updatedAt !== m.at).map((m) => m.text),
      };
    },
    async deleteCard(code) {
      const id = await cardRef(service.db.connection, code);
      const posts = service.db.connection.collection<{ _id: string; text: string }>("playground_channel");
      const post = await posts.findOneAndDelete({ _id: id });
      if (post) deleted.push(post.text);
    },
    handled: countHandled(service.chat),
    groupCount: () => service.db.connection.collection("groups").countDocuments(),
    stop: () => service.stop(),
  };
  return driver;
}
