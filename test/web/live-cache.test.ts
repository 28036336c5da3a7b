import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { sampleGroup } from "./support/fake-views";
import { startWebApp, type WebApp } from "./support/web-app";

let app: WebApp;
beforeAll(async () => {
  app = await startWebApp({ liveCacheMs: 60_000 });
  app.groups.add(sampleGroup());
});
afterAll(async () => {
  await app.close();
});

const get = (path: string, accept: string) => fetch(`${app.base}${path}`, { headers: { Accept: accept } });

describe("the shared cache of polled group JSON", () => {
  it("answers many viewers' polls of one group from one engine read", async () => {
    const bodies = await Promise.all([1, 2, 3].map(() => get("/g/7KQ3M9XPT2VAB", "application/json")));
    const again = await get("/g/7KQ3M9XPT2VAB", "application/json");
    expect(again.headers.get("etag")).toBe(bodies[0]?.headers.get("etag"));
    expect(app.groups.calls.length).toBeLessThanOrEqual(3); // the first concurrent reads may each miss
    const before = app.groups.calls.length;
    await get("/g/7KQ3M9XPT2VAB", "application/json");
    expect(app.groups.calls.length).toBe(before);
  });

  it("never serves personal (member-token) reads or the HTML page from it", async () => {
    const before = app.groups.calls.length;
    await get("/g/7KQ3M9XPT2VAB?m=tok", "application/json");
    await get("/g/7KQ3M9XPT2VAB", "text/html");
    expect(app.groups.calls.length).toBe(before + 2);
  });
});
