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
  stop(): Promise<void>;
}

/**
 * A chat platform's side as well: it limits rates, others post in its channels, it can shut the
 * bot out and refuse DMs. (The playground is this server's own database and has none of these.)
 */
export interface ChatPlatformMessengerDriver extends MessengerDriver {
  /** The platform's next `call` answers 429 asking for `seconds`. */
  rateLimitNext(call: "post" | "edit", seconds: number): void;
  /** A message in `channel` by someone else, as a ref this messenger's edit takes. */
  othersMessage(channel: string): string;
  /** The bot may no longer post or edit in `channel`. */
  shutOut(channel: string): void;
  /** A user a DM cannot be attempted to (after whatever shows it). */
  unreachableUser(): Promise<string>;
}

const card = (text: string, buttons: string[] = []) => ({
  text,
  buttons: buttons.map((label) => ({ label, command: `/join ${label}` })),
});

let seq = 0;

/** A message for `channelId`, with an id of its own. */
function message(d: MessengerDriver, channelId: string, content = card("KB-75: 1 of 3 members")) {
  return { id: `post-${++seq}`, platform: d.messenger.platform, channelId, ...content };
}

/** Posts and returns the reference (the post must succeed). */
async function posted(d: MessengerDriver, channelId = d.channel(), content?: ReturnType<typeof card>) {
  const result = await d.messenger.post(message(d, channelId, content));
  if (!result.ok) throw new Error(`post failed: ${result.reason}`);
  return result.ref;
}

/** What every messenger must do with channel messages, whatever its platform. */
export function messengerContract(name: string, start: () => Promise<MessengerDriver>): void {
  contract(name, start);
}

/** The same, and what a chat platform's limits, other authors and refusals make of it. */
export function chatPlatformMessengerContract(
  name: string,
  start: () => Promise<ChatPlatformMessengerDriver>,
): void {
  contract(name, start, platformChecks);
}

function contract<D extends MessengerDriver>(
  name: string,
  start: () => Promise<D>,
  more?: (driver: () => D) => void,
): void {
  describe(`messenger contract: ${name}`, () => {
    let d: D;
    beforeAll(async () => {
      d = await start();
    });
    afterAll(async () => {
      await d?.stop();
    });

    it("posts a message in a channel and an edit replaces its text", async () => {
      const ref = await posted(d);
      expect(await d.shown(ref)).toMatchObject({ text: "KB-75: 1 of 3 members" });
      expect(await d.messenger.edit(ref, card("KB-75: 2 of 3 members"))).toEqual({ ok: true });
      expect(await d.shown(ref)).toMatchObject({ text: "KB-75: 2 of 3 members" });
    });

    it("replaces the buttons with the text: new ones shown, none left when the edit has none", async () => {
      const ref = await posted(d, d.channel(), card("open", ["Join"]));
      expect((await d.shown(ref))?.buttons).toEqual(["Join"]);
      expect(await d.messenger.edit(ref, card("waitlist", ["Wait"]))).toEqual({ ok: true });
      expect((await d.shown(ref))?.buttons).toEqual(["Wait"]);
      expect(await d.messenger.edit(ref, card("closed"))).toEqual({ ok: true });
      expect(await d.shown(ref)).toEqual({ text: "closed", buttons: [] });
    });

    it("takes an edit to exactly what the message shows already as done", async () => {
      const ref = await posted(d, d.channel(), card("same", ["Join"]));
      expect(await d.messenger.edit(ref, card("same", ["Join"]))).toEqual({ ok: true });
      expect(await d.shown(ref)).toEqual({ text: "same", buttons: ["Join"] });
    });

    it("answers an edit of a deleted message as gone, so the caller posts anew", async () => {
      const ref = await posted(d);
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

    more?.(() => d);
  });
}

function platformChecks(driver: () => ChatPlatformMessengerDriver): void {
  it("passes on a 429 on a post or an edit as retryable after the wait the platform gave", async () => {
    const d = driver();
    const ref = await posted(d);
    d.rateLimitNext("edit", 2);
    const edited = await d.messenger.edit(ref, card("busy"));
    expect(edited).toMatchObject({ ok: false, retryable: true });
    expectWait(edited, 2000);
    d.rateLimitNext("post", 3);
    const refused = await d.messenger.post(message(d, d.channel()));
    expect(refused).toMatchObject({ ok: false, retryable: true });
    expectWait(refused, 3000);
  });

  it("answers an edit of someone else's message as gone", async () => {
    const d = driver();
    const ref = d.othersMessage(d.channel());
    expect(await d.messenger.edit(ref, card("mine now?"))).toMatchObject({
      ok: false,
      retryable: false,
      gone: true,
    });
  });

  it("refuses for good to post where the bot may not, and answers an edit there as gone", async () => {
    const d = driver();
    const channel = d.channel();
    const ref = await posted(d, channel);
    d.shutOut(channel);
    expect(await d.messenger.edit(ref, card("after"))).toMatchObject({ ok: false, gone: true });
    expect(await d.messenger.post(message(d, channel))).toMatchObject({ ok: false, retryable: false });
  });

  it("says a user no DM can reach cannot be reached", async () => {
    const d = driver();
    expect(d.messenger.canReach(await d.unreachableUser())).toBe(false);
  });
}

/** The wait passed on is the platform's (the client may add a few milliseconds of margin). */
function expectWait(result: EditResult | { ok: boolean }, platformMs: number): void {
  const wait = (result as { retryAfterMs?: number }).retryAfterMs ?? 0;
  expect(wait).toBeGreaterThanOrEqual(platformMs);
  expect(wait).toBeLessThan(platformMs + 1000);
}
