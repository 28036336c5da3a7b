import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { slackHeaders, slashCommandBody } from "../../support/slack-sign";
import { inlineReply, SIGNING_SECRET, type SlackHarness, startSlackHarness } from "./slack-harness";

let h: SlackHarness;
const form = { "content-type": "application/x-www-form-urlencoded" };

beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  await h?.stop();
});

const groups = () => h.service.db.connection.collection("groups").countDocuments();
/** Gives an accepted request time to have an effect, so "nothing happened" is a real observation. */
const settle = () => h.command("U1", "/points");

describe("Slack request checks", () => {
  function groupbuy(responseUrl: string, triggerId?: string) {
    return slashCommandBody({
      command: "/groupbuy",
      text: "KB-75 <@U2>",
      userId: "U1",
      responseUrl,
      ...(triggerId ? { triggerId } : {}),
    });
  }

  it("refuses an unsigned request with 401 and does nothing", async () => {
    const before = await groups();
    const url = h.fake.responseUrl();
    const response = await h.post(groupbuy(url), form);
    expect(response.status).toBe(401);
    await settle();
    expect(await groups()).toBe(before);
    expect(h.fake.responsesTo(url)).toHaveLength(0);
  });

  it("refuses a request signed with another secret with 401 and does nothing", async () => {
    const before = await groups();
    const url = h.fake.responseUrl();
    const body = groupbuy(url);
    const response = await h.post(body, { ...form, ...slackHeaders(body, "not-the-signing-secret-at-all") });
    expect(response.status).toBe(401);
    await settle();
    expect(await groups()).toBe(before);
    expect(h.fake.responsesTo(url)).toHaveLength(0);
  });

  it("refuses a correctly signed request older than five minutes (a replay) with 401", async () => {
    const before = await groups();
    const url = h.fake.responseUrl();
    const body = groupbuy(url);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const response = await h.post(body, { ...form, ...slackHeaders(body, SIGNING_SECRET, old) });
    expect(response.status).toBe(401);
    await settle();
    expect(await groups()).toBe(before);
  });

  it("refuses a body changed after signing with 401", async () => {
    const url = h.fake.responseUrl();
    const body = groupbuy(url);
    const headers = slackHeaders(body, SIGNING_SECRET);
    const response = await h.post(body.replace("KB-75", "KC-PBT"), { ...form, ...headers });
    expect(response.status).toBe(401);
  });

  it("answers a signed but unreadable body with 400", async () => {
    const body = "payload=%7Bnot-json";
    const response = await h.post(body, { ...form, ...slackHeaders(body, SIGNING_SECRET) });
    expect(response.status).toBe(400);
    const json = "{oops";
    const second = await h.post(json, {
      "content-type": "application/json",
      ...slackHeaders(json, SIGNING_SECRET),
    });
    expect(second.status).toBe(400);
  });

  it("answers a signed form that repeats a field with 400 and changes nothing", async () => {
    const before = await groups();
    const body = `${groupbuy(h.fake.responseUrl())}&text=KC-PBT`;
    const response = await h.post(body, { ...form, ...slackHeaders(body, SIGNING_SECRET) });
    expect(response.status).toBe(400);
    expect(await groups()).toBe(before);
  });

  it("answers a signed form without the slash command fields with 400", async () => {
    const body = "command=%2Fjoin&text=x";
    const response = await h.post(body, { ...form, ...slackHeaders(body, SIGNING_SECRET) });
    expect(response.status).toBe(400);
  });

  it("never repeats an effect when Slack retries a command (X-Slack-Retry-Num)", async () => {
    const before = await groups();
    const dmsBefore = h.fake.callsTo("conversations.open").length;
    const url = h.fake.responseUrl();
    const body = groupbuy(url, "trigger-retry-1");
    const first = await h.send(body);
    expect(first.status).toBe(200);
    // The first reply rides on the acknowledgement or follows on the response_url: exactly once.
    const inline = inlineReply(await first.text());
    if (!inline) await h.fake.waitFor("the first reply", () => h.fake.responsesTo(url).length > 0);
    expect(inline?.text ?? String(h.fake.responsesTo(url)[0]?.body.text)).toMatch(/\/g\//);
    const retry = await h.send(body, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    expect(retry.status).toBe(200);
    // The retry is acknowledged, but answered neither in its body nor on the response_url again.
    expect(inlineReply(await retry.text())).toBeUndefined();
    await h.fake.waitFor("the invitation DM", () => h.fake.callsTo("conversations.open").length > dmsBefore);
    await settle();
    expect(await groups()).toBe(before + 1);
    expect(h.fake.responsesTo(url)).toHaveLength(inline ? 0 : 1);
    expect(h.fake.callsTo("conversations.open").length).toBe(dmsBefore + 1);
  });

  it("acknowledges a command with its length, not in chunks", async () => {
    const catalog = { command: "/catalog", text: "", userId: "U1", responseUrl: h.fake.responseUrl() };
    const response = await h.send(slashCommandBody(catalog));
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(response.headers.get("transfer-encoding")).toBeNull();
    expect(response.headers.get("content-length")).toBe(String(bytes.length));
  });

  it("answers a body over 1 MB with 413, before reading its signature, and changes nothing", async () => {
    const before = await groups();
    const url = h.fake.responseUrl();
    const body = `${groupbuy(url)}&padding=${"x".repeat(1024 * 1024)}`;
    const response = await h.post(body, { ...form, ...slackHeaders(body, SIGNING_SECRET) });
    expect(response.status).toBe(413);
    expect(await response.text()).toBe("Request body too large.");
    await settle();
    expect(await groups()).toBe(before);
    expect(h.fake.responsesTo(url)).toHaveLength(0);
  });

  it("answers Slack's url_verification challenge and ssl_check", async () => {
    const body = JSON.stringify({ type: "url_verification", challenge: "abc123", token: "t" });
    const response = await h.post(body, {
      "content-type": "application/json",
      ...slackHeaders(body, SIGNING_SECRET),
    });
    expect(await response.json()).toEqual({ challenge: "abc123" });
    const ssl = "ssl_check=1&token=t";
    expect((await h.post(ssl, { ...form, ...slackHeaders(ssl, SIGNING_SECRET) })).status).toBe(200);
  });
});

describe("Slack DM delivery", () => {
  it("backs off on 429 and delivers the DM once Retry-After has passed", async () => {
    // The DM's channel only: the group's status card is posted in the channel at the same time.
    h.fake.rateLimitNext("chat.postMessage", 1, 1, "DU5");
    await h.command("U1", "/groupbuy KB-75 <@U5>");
    await h.fake.waitFor("the DM to U5", () => h.fake.dmsTo("U5").length === 1);
    const attempts = h.fake.callsTo("chat.postMessage").filter((c) => c.args.channel === "DU5");
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
  });

  it("records a member who cannot be DMed and tells the organiser", async () => {
    h.fake.refuseDm("U6", "user_not_found");
    const opened = await h.command("U1", "/groupbuy KB-75 <@U6|ghost>");
    const code = /Group code: ([0-9A-Z]+)/.exec(opened.reply.text)?.[1] ?? "";
    const users = h.service.db.connection.collection("users");
    await h.fake.waitFor("the failure recorded", () =>
      h.fake.callsTo("conversations.open").some((c) => c.args.users === "U6"),
    );
    for (let i = 0; i < 200; i++) {
      const ghost = await users.findOne({ _id: "slack:T1:U6" as never });
      if (ghost?.dmFailure) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const status = await h.command("U1", `/group ${code}`);
    expect(status.reply.text).toMatch(/ghost \(could not DM: .*user_not_found/);
    const again = await h.command("U1", "/groupbuy KB-75 <@U6|ghost>");
    expect(again.reply.text).toContain("Could not DM ghost");
    expect(h.fake.dmsTo("U6")).toHaveLength(0);
  });
});
