import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Stands in for Slack on the way out: every `POST /api/<method>` answers `{ok: true}`, and each
 * `POST /r/<id>` (a response_url) resolves whoever waits for reply `<id>`. Benchmarks measure a
 * command until its reply arrives here, not just until Slack's 3-second acknowledgement.
 */
export interface ResponseSink {
  base: string;
  responseUrl(id: number): string;
  waitFor(id: number, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startResponseSink(): Promise<ResponseSink> {
  const waiting = new Map<number, (body: string) => void>();
  const arrived = new Map<number, string>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const match = /^\/r\/(\d+)$/.exec(req.url ?? "");
      if (match) {
        const id = Number(match[1]);
        const resolve = waiting.get(id);
        if (resolve) {
          waiting.delete(id);
          resolve(body);
        } else arrived.set(id, body);
      }
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    responseUrl: (id) => `${base}/r/${id}`,
    waitFor(id, timeoutMs = 10_000) {
      const early = arrived.get(id);
      if (early !== undefined) {
        arrived.delete(id);
        return Promise.resolve(early);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`no reply for ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (body) => {
          clearTimeout(timer);
          resolve(body);
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
