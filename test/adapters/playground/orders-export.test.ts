import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Service } from "../../../src/service";
import { parseCsv } from "../../web/support/parse-csv";
import { startPlaygroundService } from "../contract/playground-driver";

/** The organiser's CSV export through the web chat: the link in their `/group`, then the download. */
let service: Service;
let base = "";
beforeAll(async () => {
  service = await startPlaygroundService();
  base = `http://127.0.0.1:${service.port}`;
});
afterAll(async () => {
  await service?.stop();
});

async function command(user: string, text: string): Promise<{ text: string; visibility: string }> {
  const response = await fetch(`${base}/playground/commands`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, text }),
  });
  return (await response.json()) as { text: string; visibility: string };
}

const LINK = /(http\S+\/orders\.csv\?k=[A-Za-z0-9_-]+)/;

describe("the export on the playground", () => {
  it("gives the organiser a private link to every order as CSV, and nobody else", async () => {
    const opened = await command("olga", "/groupbuy KB-75 size=2 max=3");
    const code = /Group code: ([0-9A-Z]+)/.exec(opened.text)?.[1] ?? "";
    expect(code).not.toBe("");
    await command("-2.cmd", `/join ${code}`);

    const mine = await command("olga", `/group ${code}`);
    expect(mine.visibility).toBe("private");
    const link = LINK.exec(mine.text)?.[1] ?? "";
    expect(link.startsWith(`${service.publicUrl}/g/${code}/orders.csv?k=`)).toBe(true);

    const theirs = await command("-2.cmd", `/group ${code}`);
    expect(theirs.text).not.toContain("orders.csv");

    const url = new URL(link);
    const csv = await fetch(`${base}${url.pathname}${url.search}`);
    expect(csv.status).toBe(200);
    const [header, row] = parseCsv(await csv.text());
    expect(header?.[1]).toBe("member");
    expect([row?.[1], row?.[2], row?.[4]]).toEqual(["'-2.cmd", "Web chat", "KB-75"]);

    const guessed = await fetch(`${base}${url.pathname}?k=${"A".repeat(22)}`);
    expect(guessed.status).toBe(404);
  });
});
