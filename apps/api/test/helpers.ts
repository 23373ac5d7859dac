import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import type { FastifyInstance } from "fastify";
import { LocalStorage } from "@gradphoto/storage";
import { testDb, testDatabaseUrl } from "@gradphoto/testkit";
import { buildApp } from "../src/app.js";
import { loadConfig } from "@gradphoto/config";
import type { AppDeps } from "../src/context.js";

export interface TestServer {
  app: FastifyInstance;
  deps: AppDeps;
  url: string;
  /** fetch against the server on loopback, JSON in and out */
  call(method: string, route: string, opts?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
}

/** The real app on a loopback port with the run's database and a temporary local storage. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "api-"));
  const config = loadConfig({ NODE_ENV: "test", DATABASE_URL: testDatabaseUrl(), DATA_DIR: dataDir, LOG_LEVEL: "silent", PORT: "0", ...env });
  const db = testDb();
  const storage = new LocalStorage({ root: path.join(dataDir, "objects"), publicBaseUrl: "http://127.0.0.1/files", signingSecret: config.signingSecret });
  const deps: AppDeps = { config, db, storage, wechat: {} };
  const app = await buildApp(deps, { logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  afterAll(async () => {
    await app.close();
  });
  return {
    app,
    deps,
    url,
    async call(method, route, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(url + route, { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body, headers: res.headers };
    },
  };
}
