import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** Bodies up to this size are read to their end after an early answer; larger ones close the connection. */
const DRAIN_MAX_BYTES = 32 * 1024 * 1024;
/** A client that keeps sending after its answer for longer than this loses the connection. */
const DRAIN_TIMEOUT_MS = 30_000;

declare module "fastify" {
  interface FastifyInstance {
    /** true once close() began: answers then carry `Connection: close` */
    closingDown: boolean;
  }
}

/**
 * Keeps keep-alive connections usable and shutdown quick.
 * - An answer sent before the request body was read (a refused upload, an error before parsing)
 *   would leave the rest of the body in the socket, and the next request on that connection would
 *   never be answered. The rest is drained (bounded), or, if it is large or of unknown size, the
 *   answer says `Connection: close`.
 * - While the server shuts down every answer says `Connection: close`, so no client holds an idle
 *   keep-alive socket open (Node closes idle sockets only once, when close() starts).
 */
export const connectionPlugin = fp(async (app: FastifyInstance) => {
  app.decorate("closingDown", false);
  app.addHook("preClose", async () => {
    app.closingDown = true;
  });
  app.addHook("onSend", async (req, reply) => {
    const raw = req.raw;
    const unread = !raw.complete && !raw.destroyed;
    if (unread) {
      const len = Number(raw.headers["content-length"]);
      if (!Number.isFinite(len) || len > DRAIN_MAX_BYTES) void reply.header("connection", "close");
      drain(raw);
    }
    if (app.closingDown) void reply.header("connection", "close");
  });
});

/** Reads and discards the rest of a request body; destroys the socket past the size or time bound. */
function drain(raw: IncomingMessage): void {
  if ((raw as IncomingMessage & { gradphotoDraining?: boolean }).gradphotoDraining) return;
  (raw as IncomingMessage & { gradphotoDraining?: boolean }).gradphotoDraining = true;
  raw.unpipe(); // a multipart parser that stopped early no longer reads
  let seen = 0;
  const timer = setTimeout(() => raw.socket?.destroy(), DRAIN_TIMEOUT_MS);
  timer.unref();
  raw.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_MAX_BYTES) raw.socket?.destroy();
  });
  raw.on("end", () => clearTimeout(timer));
  raw.on("close", () => clearTimeout(timer));
  raw.on("error", () => clearTimeout(timer));
  raw.resume();
}
