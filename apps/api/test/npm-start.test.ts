import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { modelDir, reservePort } from "@gradphoto/testkit";

const root = path.resolve(import.meta.dirname, "../../..");

/**
 * `npm start` as a user runs it, on free ports and its own embedded database. It reuses the
 * install and the builds `npm test` made before the tests (GRADPHOTO_REUSE_BUILD=1), so it seeds,
 * starts API + admin + H5 + fake WeChat, and must stop all of them on one signal.
 */
async function start(command: string, args: string[]) {
  const ports = await Promise.all([0, 1, 2, 3].map(() => reservePort()));
  const [api, admin, h5, wechat] = ports.map((p) => p.port) as [number, number, number, number];
  await Promise.all(ports.map((p) => p.release()));
  // Every process of this run inherits the marker, so leftovers can be found afterwards.
  const marker = randomUUID();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(api),
    ADMIN_PORT: String(admin),
    H5_PORT: String(h5),
    FAKE_WECHAT_PORT: String(wechat),
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "npm-start-")),
    GRADPHOTO_REUSE_BUILD: "1",
    GRADPHOTO_TEST_MARKER: marker,
    // no dev photos: the seed skips picking demo photos (seed-demo.test.ts covers them), the models stay
    SHARED_DIR: mkdtempSync(path.join(os.tmpdir(), "npm-start-shared-")),
    MODEL_DIR: modelDir(),
    LOG_LEVEL: "warn",
  };
  delete env.DATABASE_URL; // its own embedded database: the demo seed must not land in the tests' database
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += String(d)));
  child.stderr!.on("data", (d) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, exited, out: () => out, ports: { api, admin, h5, wechat }, marker };
}

async function waitForText(p: { out: () => string }, re: RegExp, ms: number): Promise<RegExpExecArray> {
  const end = Date.now() + ms;
  for (;;) {
    const m = re.exec(p.out());
    if (m) return m;
    if (Date.now() > end) throw new Error(`timed out waiting for ${re}; output so far:\n${p.out().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Processes (of this user) that carry the run's marker in their environment. */
function survivors(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(`GRADPHOTO_TEST_MARKER=${marker}`)) found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "latin1").replaceAll("\0", " ")}`);
    } catch {
      /* gone, or not ours */
    }
  }
  return found;
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });

async function exitWithin(p: { child: ChildProcess; exited: Promise<unknown> }, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), ms)));
  const r = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  return r;
}

describe.skipIf(!existsSync("/proc/self/environ"))("npm start as a process", () => {
  it("prints the H5 link with ?campaign=, serves every port, and SIGTERM to npm stops everything", async () => {
    const p = await start("npm", ["start"]);
    try {
      await waitForText(p, /Press Ctrl-C to stop\./, 240_000);
      const link = (await waitForText(p, new RegExp(`http://127\\.0\\.0\\.1:${p.ports.h5}/\\?campaign=([0-9a-f-]{36})`), 1000))[1]!;
      const campaign = await fetch(`http://127.0.0.1:${p.ports.api}/api/campaigns/${link}`);
      expect(campaign.status).toBe(200);
      expect(((await campaign.json()) as { name: string }).name).toBe("2026届毕业生学历照片补采");
      for (const port of [p.ports.admin, p.ports.h5]) expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      expect(survivors(p.marker).length).toBeGreaterThanOrEqual(3); // npm's bootstrap, dev orchestrator, API

      p.child.kill("SIGTERM");
      expect(await exitWithin(p, 40_000)).toEqual({ code: 0, signal: null });
      // npm exited only after everything below it had stopped
      expect(survivors(p.marker)).toEqual([]);
      for (const port of Object.values(p.ports)) expect(await portFree(port), `port ${port} still taken`).toBe(true);
    } finally {
      for (const s of survivors(p.marker)) process.kill(Number(s.split(":")[0]), "SIGKILL");
    }
  }, 300_000);

  it("SIGINT to the bootstrap while it seeds stops the running step and starts nothing else", async () => {
    const p = await start(process.execPath, ["scripts/bootstrap.mjs", "start"]);
    try {
      await waitForText(p, /preparing the database and the demo data/, 30_000);
      await new Promise((r) => setTimeout(r, 1500)); // the seed step is running now
      p.child.kill("SIGINT");
      expect(await exitWithin(p, 30_000)).toEqual({ code: 0, signal: null });
      expect(survivors(p.marker)).toEqual([]);
      expect(p.out()).not.toMatch(/gradphoto is running/);
      for (const port of Object.values(p.ports)) expect(await portFree(port), `port ${port} still taken`).toBe(true);
    } finally {
      for (const s of survivors(p.marker)) process.kill(Number(s.split(":")[0]), "SIGKILL");
    }
  }, 120_000);
});
