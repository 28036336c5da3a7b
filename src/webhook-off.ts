import type { RequestListener } from "node:http";

/**
 * A webhook endpoint whose feature is off here (no secret to check a signature with): every request
 * is refused as one with a bad signature would be, and changes nothing, rather than a 404 that
 * would say the endpoint does not exist.
 */
export function webhookOff(status: number, text: string): RequestListener {
  return (req, res) => {
    // Nothing is read from the body; draining it keeps the connection usable.
    req.resume();
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
  };
}
