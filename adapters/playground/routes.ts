import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import express, { type Router } from "express";
import type { ChatRouter } from "../../src/chat/router";
import type { Logger } from "../../src/logger";
import type { PlaygroundChannel } from "./channel";
import { helpLines } from "./help";
import { NAME_RULE, playgroundIdentity } from "./identity";
import type { PlaygroundInbox } from "./inbox";
import { renderPlaygroundPage } from "./page";

export interface PlaygroundDeps {
  chat: ChatRouter;
  inbox: PlaygroundInbox;
  channel: PlaygroundChannel;
  publicUrl: string;
  log: Logger;
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const EVENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** The one channel every playground user is in. */
const PLAYGROUND_CHANNEL = "playground";
const COMMAND_LINE = /^\/(\S+)\s*([\s\S]*)$/;

const assets = {
  js: readFileSync(join(__dirname, "public", "app.js"), "utf8"),
  css: readFileSync(join(__dirname, "public", "app.css"), "utf8"),
};

/** The playground: a real adapter (page → Invocation → router), mounted at `/`. */
export function playgroundRoutes(deps: PlaygroundDeps): Router {
  const router = express.Router();

  router.get("/", (_req, res) => {
    const commandsHelp = helpLines(deps.chat.commands);
    res
      .set("Content-Security-Policy", CSP)
      .set("Cache-Control", "no-store")
      .type("html")
      .send(renderPlaygroundPage({ publicUrl: deps.publicUrl, commandsHelp }));
  });
  router.get("/playground/app.js", (_req, res) => {
    res.type("application/javascript").set("Cache-Control", "no-cache").send(assets.js);
  });
  router.get("/playground/app.css", (_req, res) => {
    res.type("text/css").set("Cache-Control", "no-cache").send(assets.css);
  });

  router.post("/playground/commands", express.json({ limit: "16kb" }), async (req, res) => {
    const body: unknown = req.body;
    const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    const user = playgroundIdentity(fields.user);
    if (!user) return void res.status(400).json({ error: `A user name is ${NAME_RULE}.` });
    if (typeof fields.text !== "string" || fields.text.length > 2000) {
      return void res.status(400).json({ error: "Send the command as text of at most 2000 characters." });
    }
    const line = COMMAND_LINE.exec(fields.text.trim());
    if (!line) {
      return void res.json({
        text: "Commands start with a slash: type /help to see them.",
        visibility: "private",
        errorCode: "NOT_A_COMMAND",
      });
    }
    const eventId =
      typeof fields.eventId === "string" && EVENT_ID.test(fields.eventId) ? fields.eventId : randomUUID();
    const reply = await deps.chat.handle({
      platform: "playground",
      command: line[1]!,
      args: { text: line[2] ?? "" },
      user,
      channel: { id: PLAYGROUND_CHANNEL, kind: "group" },
      eventId,
      raw: body,
    });
    res.set("Cache-Control", "no-store").json(reply);
  });

  router.get("/playground/inbox", async (req, res) => {
    const user = playgroundIdentity(req.query.user);
    if (!user) return void res.status(400).json({ error: `A user name is ${NAME_RULE}.` });
    const messages = await deps.inbox.list(user.id, sinceOf(req.query.since));
    res.set("Cache-Control", "no-store").json({ messages });
  });

  // What the bot posted in the channel, each as it stands now: an edited post comes again.
  router.get("/playground/channel", async (req, res) => {
    const messages = await deps.channel.list(PLAYGROUND_CHANNEL, sinceOf(req.query.since));
    res.set("Cache-Control", "no-store").json({ messages });
  });

  return router;
}

/** The `since` of a poll, when it is a valid date. */
function sinceOf(value: unknown): Date | undefined {
  const since = typeof value === "string" ? new Date(value) : undefined;
  return since && !Number.isNaN(since.getTime()) ? since : undefined;
}
