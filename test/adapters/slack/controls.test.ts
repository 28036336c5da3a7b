import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type SlackHarness, startSlackHarness } from "./slack-harness";

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  await h?.stop();
});

const codeOf = (text: string) => /Group code: ([0-9A-Z]+)/.exec(text)?.[1] ?? "";
const askedAbout = (userId: string) => h.fake.callsTo("users.info").filter((c) => c.args.user === userId);

async function open(line = "/groupbuy KB-75 size=2 max=3"): Promise<string> {
  const code = codeOf((await h.command("UORG", line, { userName: "org" })).reply.text);
  expect(code).toMatch(/^[0-9A-Z]{13}$/);
  return code;
}

describe("Slack: /leavegroup and the organiser controls", () => {
  it("/leavegroup takes the member out and cancels their order; refusals are one ephemeral line", async () => {
    const code = await open();
    await h.command("UA", `/joingroup ${code}`);
    const left = await h.command("UA", `/leavegroup ${code}`, { userName: "ann" });
    expect(left.reply.response_type).toBe("in_channel");
    expect(left.reply.text).toContain(`left group ${code}: order`);
    expect(left.reply.text).toContain("0 of 2 members now");
    const [order] = await h.service.engine.orders.forGroup(code);
    expect(order?.status).toBe("cancelled");
    const again = await h.command("UA", `/leavegroup ${code}`);
    expect(again.reply.response_type).toBe("ephemeral");
    expect(again.reply.text).toBe(
      `You are not a member of group ${code}, so there is nothing to leave; type /group ${code} to see who is`,
    );
    // Requests arriving under the plain name still work, as for /join.
    await h.command("UB", `/joingroup ${code}`);
    expect((await h.command("UB", `/leave ${code}`)).reply.text).toContain(`left group ${code}`);
  });

  it("someone who is not a workspace admin is refused, after users.info said so, and nothing changes", async () => {
    const code = await open();
    h.fake.setUser("UPLAIN", { name: "plain", is_admin: false, is_owner: false });
    const refused = await h.command("UPLAIN", `/group ${code} cancel`);
    expect(refused.reply.response_type).toBe("ephemeral");
    expect(refused.reply.text).toBe(
      `Only the organiser of group ${code} or an admin of the place it was opened in may cancel it; ask them`,
    );
    expect(askedAbout("UPLAIN")).toHaveLength(1);
    expect((await h.service.engine.groups.status(code, "slack:T1:UX")).state).toBe("open");
  });

  it("workspace admins and owners may act; the answer is kept briefly", async () => {
    const code = await open();
    h.fake.setUser("UADMIN", { name: "admin", is_admin: true });
    h.fake.setUser("UOWNER", { name: "owner", is_owner: true });
    const extended = await h.command("UADMIN", `/group ${code} extend 12h`);
    expect(extended.reply.response_type).toBe("in_channel");
    expect(extended.reply.text).toContain(`Group ${code} now stays open until`);
    const reminded = await h.command("UADMIN", `/group ${code} remind`);
    expect(reminded.reply.response_type).toBe("ephemeral");
    expect(askedAbout("UADMIN")).toHaveLength(1);
    const cancelled = await h.command("UOWNER", `/group ${code} cancel "the supplier sold out"`);
    expect(cancelled.reply.text).toContain(`Group ${code} is cancelled: the supplier sold out.`);
  });

  it("an admin of another workspace has no say, and Slack is not even asked", async () => {
    const code = await open();
    h.fake.setUser("UELSE", { name: "else", is_admin: true });
    const refused = await h.command("UELSE", `/group ${code} close`, { teamId: "T2" });
    expect(refused.reply.text).toContain(`Only the organiser of group ${code}`);
    expect(askedAbout("UELSE")).toHaveLength(0);
  });

  it("a rate-limited or failed users.info refuses with its own line", async () => {
    const code = await open();
    h.fake.setUser("ULIMIT", { name: "limit", is_admin: true });
    h.fake.rateLimitNext("users.info", 30);
    const limited = await h.command("ULIMIT", `/group ${code} cancel`);
    expect(limited.reply.text).toContain("Could not ask the chat platform whether you are an admin here");
    const unknown = await h.command("UNOBODY", `/group ${code} cancel`);
    expect(unknown.reply.text).toContain("Could not ask the chat platform");
    expect((await h.service.engine.groups.status(code, "slack:T1:UX")).state).toBe("open");
  });

  it("the organiser closes at size, and is told how many are missing below it", async () => {
    const code = await open("/groupbuy KB-75 size=2 max=4");
    await h.command("UC", `/joingroup ${code}`);
    expect((await h.command("UORG", `/group ${code} close`)).reply.text).toContain(
      `Group ${code} needs 1 more member (of 2) before it can close`,
    );
    await h.command("UD", `/joingroup ${code}`);
    const closed = await h.command("UORG", `/group ${code} close`);
    expect(closed.reply.response_type).toBe("in_channel");
    expect(closed.reply.text).toContain(`Group ${code} is closed and complete with 2 members`);
  });

  it("the waitlist end to end: the card's Join button queues, the organiser sees who waits, a sibling opens and DMs with a button", async () => {
    const full = await open("/groupbuy KB-75 size=2 max=2");
    await h.command("UWA", `/joingroup ${full}`, { userName: "wa" });
    await h.command("UWB", `/joingroup ${full}`, { userName: "wb" });
    // The card's Join button runs /join: on the full group it queues the one who clicked.
    const clicked = await h.click("UWC", `/join ${full}`, "C1", { actionId: "crowdcart:run:0" });
    expect(clicked.reply.text).toContain(
      `group ${full} is full, so you are number 1 on its waitlist (1 waiting)`,
    );
    h.fake.setUser("UWC", { name: "wc" });
    const organiserView = await h.command("UORG", `/group ${full}`);
    expect(organiserView.reply.response_type).toBe("ephemeral");
    expect(organiserView.reply.text).toContain("Waitlist: 1 waiting for a place.");
    expect(organiserView.reply.text).toMatch(/Waitlist, in order: \S+ \(slack\)\./);

    const placed = await h.command("UWD", `/joingroup ${full}`, { userName: "wd" });
    const sibling = /now a member of group ([0-9A-Z]{13})/.exec(placed.reply.text)?.[1] ?? "";
    expect(sibling).toMatch(/^[0-9A-Z]{13}$/);
    for (const user of ["UWC", "UWD"]) {
      await h.fake.waitFor(`the sibling's DM to ${user}`, () =>
        h.fake.dmsTo(user).some((m) => String(m.text).includes(`group ${sibling}`)),
      );
      const dm = h.fake.dmsTo(user).find((m) => String(m.text).includes(`group ${sibling}`))!;
      expect(String(dm.text)).toMatch(new RegExp(`/g/${sibling}\\?m=`));
      expect(String(dm.text)).toContain(`/leavegroup ${sibling}`);
      expect(JSON.stringify(dm.blocks)).toContain(`"value":"/group ${sibling}"`);
    }
    // The DM's button shows the new group, which names the full one it was opened for.
    const shown = await h.click("UWD", `/group ${sibling}`, "DUWD");
    expect(shown.reply.text).toContain(`Opened for the waitlist of group ${full}`);
    expect(shown.reply.text).toContain("2 of 2 members");
    await h.fake.waitFor("the full group's card edited to link the sibling", () =>
      h.fake
        .callsTo("chat.update")
        .some((c) => String(c.args.text).includes(`Group for its waitlist: ${sibling}`)),
    );
    // Its organiser is told too.
    await h.fake.waitFor("the organiser's DM", () =>
      h.fake.dmsTo("UORG").some((m) => String(m.text).includes(`group ${sibling} opened`)),
    );
  });
});
