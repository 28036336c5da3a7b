import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { loadConfig } from "../../../src/config";
import { silentLogger } from "../../../src/logger";
import { type Service, startService } from "../../../src/service";
import { freshDatabaseUri } from "../../support/db";
import { startPlaygroundService } from "../contract/playground-driver";

let service: Service;
let base = "";

beforeAll(async () => {
  service = await startPlaygroundService();
  base = `http://127.0.0.1:${service.port}`;
});
afterAll(async () => {
  await service?.stop();
});

const command = (body: unknown, contentType = "application/json") =>
  fetch(`${base}/playground/commands`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("playground page", () => {
  it("serves a page with a strict CSP and no inline script or style", async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).toContain('src="/playground/app.js"');
    expect(html).toContain("/groupbuy &#60;sku&#62;");
  });

  it("serves its script and stylesheet from routes", async () => {
    const js = await fetch(`${base}/playground/app.js`);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    const css = await fetch(`${base}/playground/app.css`);
    expect(css.headers.get("content-type")).toMatch(/text\/css/);
  });
});

describe("playground commands over HTTP", () => {
  it("runs a command as the named user", async () => {
    const reply = (await (await command({ user: "Alice", text: "/register region=EU" })).json()) as {
      text: string;
    };
    expect(reply.text).toBe("Saved: region EU, email not set.");
    expect((await service.engine.users.get("playground:alice"))?.region).toBe("EU");
  });

  it("answers text that is not a command with a hint, not an error status", async () => {
    const response = await command({ user: "alice", text: "hello" });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe("NOT_A_COMMAND");
  });

  it("refuses a bad user name with 400", async () => {
    expect((await command({ user: "no spaces allowed", text: "/help" })).status).toBe(400);
    expect((await command({ text: "/help" })).status).toBe(400);
  });

  it("refuses an unreadable body with 400, never 5xx", async () => {
    expect((await command("{nope")).status).toBe(400);
    expect((await command("user=alice&text=/help", "application/x-www-form-urlencoded")).status).toBe(400);
    expect((await command({ user: "alice", text: 42 })).status).toBe(400);
  });

  it("lists a user's DMs and refuses a bad name", async () => {
    await command({ user: "alice", text: "/groupbuy KB-75 @zed" });
    for (let i = 0; i < 200; i++) {
      const { messages } = (await (await fetch(`${base}/playground/inbox?user=zed`)).json()) as {
        messages: unknown[];
      };
      if (messages.length) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const { messages } = (await (await fetch(`${base}/playground/inbox?user=ZED`)).json()) as {
      messages: { text: string; buttons: { label: string }[] }[];
    };
    expect(messages).toHaveLength(1);
    expect(messages[0]?.buttons.map((b) => b.label)).toContain("Join");
    expect((await fetch(`${base}/playground/inbox?user=`)).status).toBe(400);
  });
});

describe("playground switch", () => {
  it("is off in production unless asked for, and warns when forced on", async () => {
    const lines: string[] = [];
    const log = pino(
      { level: "warn" },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const env = {
      NODE_ENV: "production",
      LOG_LEVEL: "silent",
      PORT: "0",
      MONGODB_URI: freshDatabaseUri("prod"),
    };
    const off = await startService(loadConfig(env, "/nonexistent/.env"), silentLogger, {
      mongodbUri: env.MONGODB_URI,
    });
    try {
      expect((await fetch(`http://127.0.0.1:${off.port}/`)).status).toBe(404);
    } finally {
      await off.stop();
    }
    const on = await startService(loadConfig({ ...env, PLAYGROUND: "true" }, "/nonexistent/.env"), log, {
      mongodbUri: env.MONGODB_URI,
    });
    try {
      expect((await fetch(`http://127.0.0.1:${on.port}/`)).status).toBe(200);
      expect(lines.join("")).toContain("PLAYGROUND=true in production");
    } finally {
      await on.stop();
    }
  });
});
