import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Invocation } from "../../../src/chat/invocation";
import { ACK_WINDOW_MS } from "../../support/fake-slack-api";
import { type SlackHarness, type SlashResult, startSlackHarness } from "./slack-harness";

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** Enough commands at once to keep both cores of the test machine busy. */
const CONCURRENT = 150;

const line = (i: number) => (i % 3 === 0 ? "/catalog" : `/cart add KB-75 qty=${1 + (i % 5)}`);
const expected = (i: number) => (i % 3 === 0 ? "KB-75" : "/s/");

/** Every reply reached its user, in the acknowledgement or on its response_url. */
function expectEveryReply(results: PromiseSettledResult<SlashResult>[]) {
  expect(results.filter((r) => r.status === "rejected")).toEqual([]);
  for (const [i, r] of results.entries()) {
    expect((r as PromiseFulfilledResult<SlashResult>).value.reply.text).toContain(expected(i));
  }
  expect(h.fake.refusedResponses).toEqual([]);
}

describe("Slack commands under load", () => {
  it("acknowledges every one of many concurrent commands within Slack's 3 seconds, losing no reply", async () => {
    const from = h.fake.deliveries.length;
    const results = await Promise.allSettled(
      Array.from({ length: CONCURRENT }, (_, i) => h.command(`ULOAD${i}`, line(i))),
    );
    // The fake Slack is the judge: an acknowledgement later than 3 s is an operation_timeout.
    const deliveries = h.fake.deliveries.slice(from);
    expect(deliveries).toHaveLength(CONCURRENT);
    expect(deliveries.filter((d) => d.timedOut)).toEqual([]);
    for (const d of deliveries) expect(d.ackMs).toBeLessThan(ACK_WINDOW_MS);
    expectEveryReply(results);
  });

  it("acknowledges in time when the server is saturated and no command can finish within the window", async () => {
    // Saturated: every command waits until the test lets it go, and the process is busy for a
    // second while the requests arrive (as a server is under a burst).
    const router = h.service.chat;
    const handle = router.handle.bind(router);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    (router as { handle: typeof handle }).handle = async (invocation: Invocation, options) => {
      await gate;
      return handle(invocation, options);
    };
    try {
      const from = h.fake.deliveries.length;
      const results = Promise.allSettled(
        Array.from({ length: CONCURRENT }, (_, i) => h.command(`USAT${i}`, line(i))),
      );
      const busyUntil = performance.now() + 1000;
      while (performance.now() < busyUntil) {
        // a busy event loop: nothing else runs
      }
      await h.fake.waitFor("every acknowledgement or timeout", () =>
        h.fake.deliveries.slice(from).every((d) => d.timedOut || d.ackMs !== undefined),
      );
      const deliveries = h.fake.deliveries.slice(from);
      expect(deliveries).toHaveLength(CONCURRENT);
      expect(deliveries.filter((d) => d.timedOut)).toEqual([]);
      // Nothing was ready: every acknowledgement went out empty, every reply follows on response_url.
      for (const d of deliveries) expect(d.ack).toEqual({ status: 200, body: "" });
      release();
      expectEveryReply(await results);
    } finally {
      release();
      (router as { handle: typeof handle }).handle = handle;
    }
  });
});
