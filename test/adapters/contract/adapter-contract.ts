import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { COMMANDS } from "../../../commands";
import type { GroupDoc } from "../../../models";
import { eventually } from "../../support/eventually";

/** What the contract reads back from an adapter's reply, in the adapter's own rendering made plain. */
export interface DriverReply {
  text: string;
  /**
   * Whether only the caller sees it, read the way the platform shows it (Slack: anything but
   * `in_channel`; Discord: the ephemeral flag; Telegram: sent to the caller's private chat rather
   * than the group the command was typed in; the playground: shown as private).
   */
  private: boolean;
}

/**
 * The small object each adapter's test supplies so the shared contract can drive it. User names
 * are short lower-case words ("ana", "bob"); the driver maps them to its platform's identities.
 */
export interface AdapterDriver {
  /** Base of the links replies carry (PUBLIC_URL). */
  publicUrl: string;
  /** How `name` is mentioned in a command line on this platform. */
  mention(name: string): string;
  /** The name users see and type for `command` here (Slack keeps `join` for itself: `joingroup`). */
  commandName(command: string): string;
  /** Runs `line` (e.g. `/join ABC`) as `user` and returns the reply. */
  send(user: string, line: string): Promise<DriverReply>;
  /**
   * Runs `line` where its reply adds nothing to the channel's own limits (Telegram: the caller's
   * private chat, as a group takes about 20 bot messages a minute); elsewhere as `send`.
   */
  sendAside(user: string, line: string): Promise<DriverReply>;
  /** Delivers the same platform event twice (a retry / redelivery). */
  sendTwice(user: string, line: string): Promise<void>;
  /** How many invocations the service has finished handling (a redelivery counts too). */
  handled(): number;
  /** The DMs `user` has received so far, oldest first, as plain text. */
  dms(user: string): Promise<string[]>;
  /** The commands the buttons of `user`'s DMs run (e.g. `/group ABC`), as the platform received them. */
  dmButtons(user: string): Promise<string[]>;
  /** How many groups exist (to observe effects). */
  groupCount(): Promise<number>;
  /**
   * The group's status card as the platform's API received it: the text of each channel post of
   * the card (a new message) and of each edit of it, oldest first.
   */
  card(code: string): Promise<{ posts: string[]; edits: string[] }>;
  /** Deletes the group's card in the channel, as a moderator would. */
  deleteCard(code: string): Promise<void>;
  stop(): Promise<void>;
}

/** The card's text starts so; DMs about the group name its code too. */
export const isCard = (code: string) => (text: unknown) =>
  typeof text === "string" && text.startsWith("Group buy:") && text.includes(code);

/** The messenger's reference of the group's card, once the worker has kept it on the group. */
export async function cardRef(connection: Connection, code: string): Promise<string> {
  const group = await eventually(
    `the card of ${code} recorded`,
    () => connection.collection<GroupDoc>("groups").findOne({ _id: code }),
    (found) => Boolean(found?.card?.ref),
  );
  return group?.card?.ref as string;
}

/** A chat platform's reference `channel:message` in its two halves. */
export const refHalves = (ref: string) => ref.split(":") as [string, string];

/** The behaviour every adapter must show, whatever its platform. */
export function adapterContract(name: string, start: () => Promise<AdapterDriver>): void {
  describe(`adapter contract: ${name}`, () => {
    let d: AdapterDriver;
    let code = "";

    beforeAll(async () => {
      d = await start();
    });
    afterAll(async () => {
      await d?.stop();
    });

    it("lists every command in /help, privately", async () => {
      const reply = await d.send("ana", "/help");
      // Whole names: `/group` must not count as found inside `/groupbuy`.
      for (const { name } of COMMANDS) {
        expect(reply.text).toMatch(new RegExp(`/${d.commandName(name)}(?![\\w-])`));
      }
      expect(reply.private).toBe(true);
    });

    it("opens a group with /groupbuy: code and group link in the reply", async () => {
      const reply = await d.send("ana", `/groupbuy KB-75 size=2 ${d.mention("bob")}`);
      code = /Group code: ([0-9A-Z]+)/.exec(reply.text)?.[1] ?? "";
      expect(code).not.toBe("");
      expect(reply.text).toContain(`${d.publicUrl}/g/${code}`);
      expect(reply.private).toBe(false);
    });

    it("DMs the mentioned member the product, organiser, code and a personal link", async () => {
      const dms = await eventually(
        "bob's invitation",
        () => d.dms("bob"),
        (list) => list.some((t) => t.includes(code)),
      );
      const invite = dms.find((t) => t.includes(code))!;
      expect(invite).toContain("75% keyboard kit");
      expect(invite).toContain("ana invited you");
      expect(invite).toContain(`${d.publicUrl}/g/${code}?m=`);
    });

    it("lets the member /join, and /group shows the new status", async () => {
      const joined = await d.send("bob", `/join ${code}`);
      expect(joined.text).toContain(`joined group ${code}`);
      const status = await d.send("carl", `/group ${code}`);
      expect(status.text).toContain("1 of 2 members");
      expect(status.text).toContain("Members: bob.");
    });

    /** Opens a group as ana with `line` and waits for its card in the channel; returns its code. */
    async function openWithCard(line: string): Promise<string> {
      const reply = await d.send("ana", line);
      const opened = /Group code: ([0-9A-Z]+)/.exec(reply.text)?.[1] ?? "";
      await eventually(
        "the card posted",
        () => d.card(opened),
        (c) => c.posts.length === 1,
      );
      return opened;
    }

    it("posts the group's status card in the channel and edits it in place when someone joins", async () => {
      const card = await eventually(
        "the card edited to show bob",
        () => d.card(code),
        (c) => c.edits.some((t) => t.includes("1 joined, 2 needed")),
      );
      expect(card.posts).toHaveLength(1);
      expect(card.posts[0]).toContain("75% keyboard kit (KB-75)");
    });

    it("posts the card anew, with the group's new state, when the old one was deleted", async () => {
      const fresh = await openWithCard("/groupbuy KB-75 size=3");
      await d.deleteCard(fresh);
      await d.send("bob", `/join ${fresh}`);
      const card = await eventually(
        "the card posted anew",
        () => d.card(fresh),
        (c) => c.posts.length === 2,
      );
      expect(card.posts[1]).toContain("1 joined, 3 needed");
    });

    it("coalesces a burst of joins into a handful of card edits, the last showing the true state", async () => {
      const burst = await openWithCard("/groupbuy KB-75 size=20");
      const joiners = [..."abcdefghijklmnopqrst"].map((letter) => `fan${letter}`);
      const replies = await Promise.all(joiners.map((user) => d.sendAside(user, `/join ${burst}`)));
      expect(replies.filter((r) => !r.text.includes(`joined group ${burst}`)).map((r) => r.text)).toEqual([]);
      const card = await eventually(
        "the card showing the group complete",
        () => d.card(burst),
        (c) => c.edits.some((t) => t.includes("Complete with 20 members.")),
        40_000,
      );
      expect(card.posts).toHaveLength(1);
      expect(card.edits.at(-1)).toContain("Complete with 20 members.");
      // Each edit carries every join made while the one before it was on its way.
      expect(card.edits.length).toBeLessThanOrEqual(joiners.length / 4);
    }, 60_000);

    it("queues a /join on a full group, then opens a sibling for the waitlist, DMs each a link and a button, and links both cards", async () => {
      const full = await openWithCard("/groupbuy KB-75 size=2");
      for (const user of ["bob", "carl"]) await d.sendAside(user, `/join ${full}`);
      const queued = await d.sendAside("wanda", `/join ${full}`);
      expect(queued.text).toContain(`group ${full} is full, so you are number 1 on its waitlist (1 waiting)`);
      // Asking again says the place again.
      expect((await d.sendAside("wanda", `/join ${full}`)).text).toContain(
        "number 1 on its waitlist (1 waiting)",
      );
      const placed = await d.sendAside("xena", `/join ${full}`);
      const sibling = /now a member of group ([0-9A-Z]{13})/.exec(placed.text)?.[1] ?? "";
      expect(sibling).not.toBe("");
      for (const user of ["wanda", "xena"]) {
        // The personal link is the DM's own (on Telegram the caller's private chat holds replies too).
        const dms = await eventually(
          `${user}'s DM from the sibling group`,
          () => d.dms(user),
          (list) => list.some((t) => t.includes(`${d.publicUrl}/g/${sibling}?m=`)),
        );
        expect(dms.find((t) => t.includes(`/g/${sibling}?m=`))).toContain(`member of group ${sibling}`);
        expect(await d.dmButtons(user)).toContain(`/group ${sibling}`);
      }
      expect((await d.send("ana", `/group ${sibling}`)).text).toContain(
        `Opened for the waitlist of group ${full}`,
      );
      await eventually(
        "the full group's card linking the sibling",
        () => d.card(full),
        (c) => c.edits.some((t) => t.includes(`Group for its waitlist: ${sibling}`)),
      );
      await eventually(
        "the sibling's card linking back",
        () => d.card(sibling),
        (c) =>
          c.posts.some(
            (t) => t.includes(`code ${sibling}`) && t.includes(`Opened for the waitlist of group ${full}`),
          ),
      );
    }, 60_000);

    it("answers /cart privately with the session code and link", async () => {
      const reply = await d.send("ana", "/cart add KB-75 qty=2");
      expect(reply.text).toMatch(/\d{20,}-[A-Za-z0-9_-]{22,}/);
      expect(reply.text).toContain(`${d.publicUrl}/s/`);
      expect(reply.private).toBe(true);
    });

    it("answers a mistake with one line saying what to type", async () => {
      const reply = await d.send("ana", "/groupbuy size=3");
      expect(reply.text.split("\n")).toHaveLength(1);
      expect(reply.text).toContain("Usage: /groupbuy");
      const unknown = await d.send("ana", "/dance");
      expect(unknown.text).toContain("/help");
    });

    it("never repeats an effect when the platform delivers an event twice", async () => {
      const before = await d.groupCount();
      const handled = d.handled();
      await d.sendTwice("ana", `/groupbuy KC-PBT ${d.mention("dora")}`);
      // Some platforms are answered before the command runs: wait until both deliveries ran.
      await eventually(
        "both deliveries handled",
        async () => d.handled(),
        (n) => n >= handled + 2,
      );
      expect(await d.groupCount()).toBe(before + 1);
    });
  });
}
