import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export interface RunningServer {
  server: Server;
  port: number;
  /** Starts answering with `listener` (until then every request hears that crowdcart is starting). */
  serve(listener: RequestListener): void;
  /** Stops accepting, lets in-flight requests finish, then drops what is left after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Pending connections the kernel may queue before we accept them. Node's default (511) overflows
 * when a group's members all click at once, and a dropped SYN is only retried a second later; the
 * kernel still caps this at net.core.somaxconn.
 */
const BACKLOG = 4096;

/**
 * Listens on `port`, answering with `app` — or, without one yet, 503 and Retry-After to everything
 * (`/healthz` included) until `serve` is called: the port, and with it the public URL, can be known
 * before the engine and the adapters are built, and "healthy" still means "ready".
 */
export function listen(
  app: RequestListener | undefined,
  port: number,
  host?: string,
): Promise<RunningServer> {
  let answer: RequestListener = app ?? starting;
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => answer(req, res));
    server.keepAliveTimeout = 5000;
    server.once("error", reject);
    server.listen({ port, host: host || undefined, backlog: BACKLOG }, () => {
      server.off("error", reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        serve: (listener) => {
          answer = listener;
        },
        close: (graceMs) => closeServer(server, graceMs),
      });
    });
  });
}

const STARTING = "crowdcart is starting; try again in a few seconds.";

function starting(_req: IncomingMessage, res: ServerResponse): void {
  res
    .writeHead(503, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": Buffer.byteLength(STARTING),
      "retry-after": "5",
      "cache-control": "no-store",
    })
    .end(STARTING);
}

function closeServer(server: Server, graceMs = 8000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    // A keep-alive connection turns idle when its last response ends: close it then, not at its timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweep);
      resolve();
    });
  });
}
