import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then drops what is left after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Pending connections the kernel may queue before we accept them. Node's default (511) overflows
 * when a group's members all click at once, and a dropped SYN is only retried a second later; the
 * kernel still caps this at net.core.somaxconn.
 */
const BACKLOG = 4096;

export function listen(app: RequestListener, port: number, host?: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.keepAliveTimeout = 5000;
    server.once("error", reject);
    server.listen({ port, host: host || undefined, backlog: BACKLOG }, () => {
      server.off("error", reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: (graceMs) => closeServer(server, graceMs),
      });
    });
  });
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
