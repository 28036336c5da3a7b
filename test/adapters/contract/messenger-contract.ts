import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { EditResult, Messenger } from "../../../src/engine/messenger";

/** A channel message as the platform (its fake) now shows it. */
export interface Shown {
  text: string;
  /** Button labels, in order. */
  buttons: string[];
}

/**
 * What each platform's test supplies so the shared messenger contract can drive it: the real
 * messenger, pointed at the platform's fake, and ways to see and change the fake's side.
 */
export interface MessengerDriver {
  messenger: Messenger;
  /** A channel the bot may post in, fresh for each call (no budget of one test spills into the next). */
  channel(): string;
  /** What the platform shows for the message `ref` names, or undefined when it has none. */
  shown(ref: string): Promise<Shown | undefined>;
  /** Someone deletes the message on the platform. */
  deleteMessage(ref: string): Promise<void>;
  /** A user a DM can be attempted to. */
  reachableUser: string;
  /** Platform limits, where the platform has any: its next `call` answers 429 asking for `seconds`. */
  rateLimitNext?(call: "post" | "edit", seconds: number): void;
  /** Where others post: a message in `channel` by someone else, as a ref this messenger's edit takes. */
  othersMessage?(channel: string): string;
  /** Where the bot can be shut out: it may no longer post or edit in `channel`. */
  shutOut?(channel: string): void;
  /** Where some users cannot be reached: one a DM cannot be attempted to (after whatever shows it). */
  unreachableUser?(): Promise<string>;
  stop(): Promise<void>;
}

const card = (text: string, buttons: string[] = []) => ({
  text,
  buttons: buttons.map((label) => ({ label, command: `/join ${label}` })),
});

let seq = 0;

/** What every messenger must do with channel messages, whatever its platform. */
export function messengerContract(name: string, start: () => Promise<MessengerDriver>): void {
  describe(`messenger contract: ${name}`, () => {
    let d: MessengerDriver;
    beforeAll(async () => {
      d = await start();
    });
    afterAll(async () => {
      await d?.stop();
    });

    async function post(channelId = d.channel(), text = "KB-75: 1 of 3 members", buttons: string[] = []) {
      const result = await d.messenger.post({
        id: `post-${name}-${++seq}`,
        platform: d.messenger.platform,
        channelId,
        ...card(text, buttons),
      });
      if (!result.ok) throw new Error(`post failed: ${result.reason}`);
      return result.ref;
    }

    it("posts a message in a channel and an edit replaces its text", async () => {
      const ref = await post();
      expect(await d.shown(ref)).toMatchObject({ text: "KB-75: 1 of 3 members" });
      expect(await d.messenger.edit(ref, card("KB-75: 2 of 3 members"))).toEqual({ ok: true });
      expect(await d.shown(ref)).toMatchObject({ text: "KB-75: 2 of 3 members" });
    });

    it("replaces the buttons with the text: new ones shown, none left when the edit has none", async () => {
      const ref = await post(d.channel(), "open", ["Join"]);
      expect((await d.shown(ref))?.buttons).toEqual(["Join"]);
      expect(await d.messenger.edit(ref, card("waitlist", ["Wait"]))).toEqual({ ok: true });
      expect((await d.shown(ref))?.buttons).toEqual(["Wait"]);
      expect(await d.messenger.edit(ref, card("closed"))).toEqual({ ok: true });
      expect(await d.shown(ref)).toEqual({ text: "closed", buttons: [] });
    });

    it("takes an edit to exactly what the message shows already as done", async () => {
      const ref = await post(d.channel(), "same", ["Join"]);
      expect(await d.messenger.edit(ref, card("same", ["Join"]))).toEqual({ ok: true });
      expect(await d.shown(ref)).toEqual({ text: "same", buttons: ["Join"] });
    });

    it("answers an edit of a deleted message as gone, so the caller posts anew", async () => {
      const ref = await post();
      await d.deleteMessage(ref);
      expect(await d.messenger.edit(ref, card("later"))).toMatchObject({
        ok: false,
        retryable: false,
        gone: true,
      });
    });

    it("answers an edit of a reference it never made as gone", async () => {
      expect(await d.messenger.edit("no-such-message", card("x"))).toMatchObject({ ok: false, gone: true });
    });

    it("says a user it can DM can be reached", () => {
      expect(d.messenger.canReach(d.reachableUser)).toBe(true);
    });

    // The playground is this server's own database: nothing limits it, no one else posts there,
    // everyone can be reached. Only it may leave out what follows; each chat platform has it all.

    it("passes on a 429 on a post or an edit as retryable after the wait the platform gave", async () => {
      if (!d.rateLimitNext) return expect(name).toBe("playground");
      const ref = await post();
      d.rateLimitNext("edit", 2);
      const edited = await d.messenger.edit(ref, card("busy"));
      expect(edited).toMatchObject({ ok: false, retryable: true });
      expectWait(edited, 2000);
      d.rateLimitNext("post", 3);
      const posted = await d.messenger.post({
        id: `post-${name}-${++seq}`,
        platform: d.messenger.platform,
        channelId: d.channel(),
        text: "x",
      });
      expect(posted).toMatchObject({ ok: false, retryable: true });
      expectWait(posted, 3000);
    });

    it("answers an edit of someone else's message as gone", async () => {
      if (!d.othersMessage) return expect(name).toBe("playground");
      const ref = d.othersMessage(d.channel());
      expect(await d.messenger.edit(ref, card("mine now?"))).toMatchObject({
        ok: false,
        retryable: false,
        gone: true,
      });
    });

    it("refuses for good to post where the bot may not, and answers an edit there as gone", async () => {
      if (!d.shutOut) return expect(name).toBe("playground");
      const channel = d.channel();
      const ref = await post(channel);
      d.shutOut(channel);
      expect(await d.messenger.edit(ref, card("after"))).toMatchObject({ ok: false, gone: true });
      expect(
        await d.messenger.post({
          id: `post-${name}-${++seq}`,
          platform: d.messenger.platform,
          channelId: channel,
          text: "x",
        }),
      ).toMatchObject({ ok: false, retryable: false });
    });

    it("says a user no DM can reach cannot be reached", async () => {
      if (!d.unreachableUser) return expect(name).toBe("playground");
      expect(d.messenger.canReach(await d.unreachableUser())).toBe(false);
    });
  });
}

/** The wait passed on is the platform's (the client may add a few milliseconds of margin). */
function expectWait(result: EditResult | { ok: boolean }, platformMs: number): void {
  const wait = (result as { retryAfterMs?: number }).retryAfterMs ?? 0;
  expect(wait).toBeGreaterThanOrEqual(platformMs);
  expect(wait).toBeLessThan(platformMs + 1000);
}
