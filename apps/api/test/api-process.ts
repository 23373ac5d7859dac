// The real API entry point (apps/api/src/main.ts) as its own process, as it runs in production.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");

export interface ApiProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  url: string;
  dataDir: string;
  exited: Promise<number | null>;
  out(): string;
  err(): string;
}

// Registered when this module is imported (at a test file's top level, where vitest collects hooks;
// an afterAll registered inside a beforeAll would never run): no API process outlives its file.
const started = new Set<ChildProcessWithoutNullStreams>();
const killAll = () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
};
afterAll(killAll);
process.on("exit", killAll);

/** Starts the API and waits until it listens; killed after the file's tests if still running. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "api-proc-"));
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/api/src/main.ts")], {
    cwd: root,
    env: { ...process.env, PORT: "0", DATA_DIR: dataDir, RUN_WORKERS: "false", ...env, LOG_LEVEL: "info" }, // info: the listening line gives the port
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += String(d)));
  child.stderr.on("data", (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  started.add(child);
  let port = 0;
  for (let i = 0; i < 300 && !port && child.exitCode === null; i++) {
    const m = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
    if (m) port = Number(m[1]);
    else await new Promise((r) => setTimeout(r, 200));
  }
  if (!port) throw new Error(`API did not start: ${stderr.slice(-2000)}`);
  return { child, port, url: `http://127.0.0.1:${port}`, dataDir, exited, out: () => stdout, err: () => stderr };
}
