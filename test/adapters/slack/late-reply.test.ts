import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { slashCommandBody } from "../../support/slack-sign";
import { type SlackHarness, startSlackHarness } from "./slack-harness";

let h: SlackHarness;
beforeAll(async () => {
  // No time to answer inline: every command takes the slow path, as one that outruns the short wait would.
  h = await startSlackHarness({ inlineReplyMs: 0 });
});
afterAll(async () => {
  await h?.stop();
});

describe("a Slack command slower than the acknowledgement window", () => {
  it("is acknowledged with an empty 200 and answered through response_url", async () => {
    const result = await h.command("U1", "/catalog", { userName: "ana" });
    expect(result.status).toBe(200);
    expect(result.ackBody).toBe("");
    expect(result.inline).toBe(false);
    expect(result.reply.response_type).toBe("in_channel");
    expect(result.reply.text).toContain("KB-75");
  });

  it("keeps a cart reply ephemeral on the slow path too", async () => {
    const result = await h.command("U1", "/cart add KB-75", { userName: "ana" });
    expect(result.inline).toBe(false);
    expect(result.reply.response_type).toBe("ephemeral");
    expect(result.reply.text).toContain("/s/");
  });

  it("posts the reply again when the response_url fails for a moment", async () => {
    h.fake.failNextResponses(1);
    const result = await h.command("U1", "/catalog", { userName: "ana" });
    expect(result.inline).toBe(false);
    expect(result.reply.text).toContain("KB-75");
  });

  it("does not retry a response_url Slack no longer takes", async () => {
    const expired = h.fake.responseUrl().replace(/\d+$/, "999999");
    const body = slashCommandBody({ command: "/catalog", text: "", userId: "U1", responseUrl: expired });
    const before = h.fake.refusedResponses.length;
    expect((await h.send(body)).status).toBe(200);
    await h.fake.waitFor("the refused reply", () => h.fake.refusedResponses.length > before);
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.fake.refusedResponses.slice(before)).toEqual([
      expect.objectContaining({ error: "expired_url" }),
    ]);
  });
});
