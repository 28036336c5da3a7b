import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then drops what is left after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

export function listen(app: Express, port: number, host?: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host ?? "", (error?: Error) => {
      if (error) return reject(error);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: (graceMs) => closeServer(server, graceMs),
      });
    });
    server.keepAliveTimeout = 5000;
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
