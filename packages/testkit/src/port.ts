import net from "node:net";

/**
 * Holds a free loopback port until `release()`, so a server built around a known URL can bind it
 * later: test files run in parallel processes, and a port that is merely "free a moment ago" is
 * taken by another file's listen(0) often enough to fail a run (EADDRINUSE seen in CI).
 */
export async function reservePort(): Promise<{ port: number; release(): Promise<void> }> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => resolve());
  });
  const a = srv.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return { port, release: () => new Promise<void>((resolve) => srv.close(() => resolve())) };
}
