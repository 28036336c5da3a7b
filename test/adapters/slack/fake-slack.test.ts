import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type FakeSlackApi, startFakeSlackApi } from "../../support/fake-slack-api";

/** The fake Slack is the judge of the Slack tests: it must hold the app to Slack's own rules. */
let fake: FakeSlackApi;
beforeAll(async () => {
  fake = await startFakeSlackApi();
});
afterAll(async () => {
  await fake?.close();
});

const post = (url: string, text: string) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });

describe("the fake Slack", () => {
  it("takes five messages on a response_url, then answers used_url", async () => {
    const url = fake.responseUrl();
    for (let i = 0; i < 5; i++) expect((await post(url, `m${i}`)).status).toBe(200);
    const sixth = await post(url, "m5");
    expect(sixth.status).toBe(404);
    expect(await sixth.text()).toBe("used_url");
    expect(fake.responsesTo(url)).toHaveLength(5);
  });

  it("answers expired_url after 30 minutes, and for a response_url it never issued", async () => {
    const url = fake.responseUrl();
    expect((await post(url, "in time")).status).toBe(200);
    fake.advance(30 * 60_000 + 1);
    const late = await post(url, "too late");
    expect(late.status).toBe(404);
    expect(await late.text()).toBe("expired_url");
    expect(await (await post(url.replace(/\d+$/, "999999"), "forged")).text()).toBe("expired_url");
  });

  it("refuses a message over Slack's limits: msg_too_long, invalid_blocks", async () => {
    const postMessage = async (args: Record<string, unknown>) => {
      const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${fake.botToken}` },
        body: JSON.stringify({ channel: "D1", ...args }),
      });
      return ((await res.json()) as { error?: string }).error;
    };
    const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
    expect(await postMessage({ text: "x".repeat(40_001) })).toBe("msg_too_long");
    expect(await postMessage({ text: "x", blocks: [section("x".repeat(3001))] })).toBe("invalid_blocks");
    expect(await postMessage({ text: "x", blocks: Array.from({ length: 51 }, () => section("x")) })).toBe(
      "invalid_blocks",
    );
    expect(
      await postMessage({ text: "x".repeat(40_000), blocks: [section("x".repeat(3000))] }),
    ).toBeUndefined();
  });

  it("records an acknowledgement later than 3 seconds as a timeout and drops what it carried", async () => {
    const slowApp: Server = createServer((_req, res) => {
      setTimeout(() => res.end('{"text":"too late"}'), 3300);
    });
    await new Promise<void>((resolve) => slowApp.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(slowApp.address() as AddressInfo).port}/slack/events`;
      const delivery = await fake.deliver(url, "command=%2Fcatalog", {});
      expect(delivery.timedOut).toBe(true);
      expect(delivery.ack).toBeUndefined();
      expect(fake.timeouts()).toContain(delivery);
    } finally {
      slowApp.closeAllConnections();
      await new Promise<void>((resolve) => slowApp.close(() => resolve()));
    }
  });
});
