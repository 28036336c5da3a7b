import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { ManualClock } from "../../src/clock";
import type { Engine } from "../../src/engine";
import type { CartViews, GroupViews } from "../../src/web/model";
import { type EngineWebApp, startEngineWebApp } from "./support/engine-web-app";
import type { WebApp } from "./support/web-app";

/** The pages over the real engine on the embedded store: the adapter between them is what is tested. */
let engine: Engine;
let app: WebApp<GroupViews, CartViews>;
let clock: ManualClock;
let world: EngineWebApp;

beforeAll(async () => {
  world = await startEngineWebApp("webengine");
  ({ engine, app, clock } = world);
});
afterAll(async () => {
  await world?.close();
});

async function person(name: string, platform: "playground" | "telegram" = "playground"): Promise<string> {
  return (await engine.users.touch({ platform, id: name, displayName: name }))._id;
}
const json = (path: string) => fetch(`${app.base}${path}`, { headers: { Accept: "application/json" } });
const html = (path: string) => fetch(`${app.base}${path}`, { headers: { Accept: "text/html" } });

describe("the group page over the engine", () => {
  it("shows an engine group, greets a tagged member by their link and reminds the others once", async () => {
    const [olivia, bea, cem] = [await person("olivia"), await person("bea"), await person("cem")];
    const opened = await engine.groups.open(olivia, "KB-75", { size: 3, max: 5, members: [bea, cem] });
    const beaToken = opened.invites.find((i) => i.userKey === bea)?.link.split("?m=")[1] ?? "";
    const { GroupReminder } = engine.core.ctx.models;

    const plain = await (await html(`/g/${opened.code}`)).text();
    expect(plain).toContain("75% keyboard kit");
    expect(plain).toContain('Organised by <span class="name">olivia</span> on Web chat');
    expect(await GroupReminder.countDocuments()).toBe(0);

    // The JSON twin with a member token (the page's polling) is not an access.
    const polled = (await (await json(`/g/${opened.code}?m=${beaToken}`)).json()) as {
      you?: { displayName: string };
    };
    expect(polled.you?.displayName).toBe("bea");
    expect(await GroupReminder.countDocuments()).toBe(0);

    const personal = await html(`/g/${opened.code}?m=${beaToken}`);
    const body = await personal.text();
    expect(personal.headers.get("cache-control")).toBe("private, no-store");
    expect(body).toContain('Hi <span class="name">bea</span>');
    expect(body).toContain("have not joined yet");
    expect(await GroupReminder.countDocuments()).toBeGreaterThan(0);
  });

  it("follows joins: member count, members and the reached tier", async () => {
    const [olivia, a, b, c] = [
      await person("o2"),
      await person("a2"),
      await person("b2", "telegram"),
      await person("c2"),
    ];
    const opened = await engine.groups.open(olivia, "KB-75", { size: 2, max: 5 });
    const first = await json(`/g/${opened.code}`);
    const etag = first.headers.get("etag") ?? "";
    expect(((await first.json()) as { memberCount: number }).memberCount).toBe(0);
    for (const key of [a, b, c]) await engine.groups.join(key, opened.code);
    const after = await fetch(`${app.base}/g/${opened.code}`, {
      headers: { Accept: "application/json", "If-None-Match": etag },
    });
    expect(after.status).toBe(200);
    const group = (await after.json()) as {
      memberCount: number;
      members: unknown[];
      percentOff: number;
      state: string;
    };
    expect(group).toMatchObject({
      memberCount: 3,
      percentOff: 10,
      state: "open",
      members: [
        { displayName: "a2", platform: "playground" },
        { displayName: "b2", platform: "telegram" },
        { displayName: "c2", platform: "playground" },
      ],
    });
  });

  it("accepts a code typed in lower case and shows the canonical code", async () => {
    const opened = await engine.groups.open(await person("o3"), "KB-75");
    const res = await html(`/g/${opened.code.toLowerCase()}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`<code id="join-command">/join ${opened.code}</code>`);
  });

  it("says a group that expired below its target failed", async () => {
    const opened = await engine.groups.open(await person("o4"), "KB-75", { size: 3, expiresInMs: 3_600_000 });
    clock.advance(3_600_001);
    const body = await (await html(`/g/${opened.code}`)).text();
    expect(body).toContain(">Did not go ahead</span>");
  });

  it("answers an unknown code with 404", async () => {
    expect((await html("/g/7KQ3M9XW2HBPD")).status).toBe(404);
    expect((await html("/g/short")).status).toBe(404);
  });
});

describe("the cart page over the engine", () => {
  const shopper = { platform: "telegram" as const, id: "555", displayName: "Shopper" };

  it("shows the engine's cart by its code", async () => {
    await engine.carts.add(shopper, "KB-75", 2);
    const cart = await engine.carts.add(shopper, "KC-PBT");
    const res = await html(`/s/${cart.code}`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("75% keyboard kit");
    expect(body).toContain("€258.00");
    expect(body).toContain("€317.00"); // 2 × 129 + 59
  });

  it("warns on a code whose serial matches but whose token does not, and 404s one that matches nothing", async () => {
    const cart = await engine.carts.show(shopper);
    const [serial] = cart.code.split("-");
    const half = await html(`/s/${serial}-${"A".repeat(24)}`);
    expect(half.status).toBe(404);
    expect(await half.text()).toContain('class="warn" role="alert"');
    const none = await html(`/s/99990101000000000001-${"B".repeat(24)}`);
    expect(none.status).toBe(404);
    expect(await none.text()).not.toContain('class="warn"');
    const malformed = await html("/s/123-abc");
    expect(malformed.status).toBe(404);
  });
});
