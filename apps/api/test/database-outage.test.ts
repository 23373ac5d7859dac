// Fault-drill finding: an unreachable database answered 500 INTERNAL and /readyz said `error: ""`.
// Drill on a private PostgreSQL (never the shared one): stop it under a running API process, then
// start it again; the API answers 503 DATABASE_UNAVAILABLE meanwhile and recovers without a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiProcess, type ApiProcess } from "./api-process.js";
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from "./private-postgres.js";

let pg: PrivatePostgres;
let api: ApiProcess;

const login = () => fetch(`${api.url}/api/staff/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "nobody", password: "wrong-password-1" }) });

describe.skipIf(!privatePostgresAvailable)("database outage (private PostgreSQL stopped and started)", () => {
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    // workers on: the job queue loses its database too and must not take the process down
    api = await startApiProcess({ DATABASE_URL: pg.url, RUN_WORKERS: "true" });
  }, 180_000);
  afterAll(() => pg?.destroy());

  it("answers 503 DATABASE_UNAVAILABLE while the database is down, /readyz names it, and recovers when it returns", async () => {
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    expect((await login()).status).toBe(401);

    pg.stop();
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; checks: { database: { ok: boolean; error?: string }; storage: { ok: boolean } } };
    expect(body.status).toBe("unavailable");
    expect(body.checks.database.ok).toBe(false);
    expect(body.checks.database.error).toMatch(/reach|terminat|connect|ECONNREFUSED/i);
    expect(body.checks.storage.ok).toBe(true);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200); // the process itself is alive

    for (const r of [await login(), await login(), await fetch(`${api.url}/api/staff/me`, { headers: { authorization: `Bearer ${"a".repeat(43)}` } })]) {
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ code: "DATABASE_UNAVAILABLE", message: expect.stringMatching(/暂时不可用/) });
    }

    pg.start();
    const t0 = Date.now();
    let status = 0;
    while (Date.now() - t0 < 20_000 && status !== 200) {
      status = (await fetch(`${api.url}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`database outage: /readyz ok ${Date.now() - t0} ms after PostgreSQL was back`);
    expect(status).toBe(200);
    expect((await login()).status).toBe(401); // requests work again, no API restart
    expect(api.child.exitCode).toBeNull();
    expect(api.out() + api.err()).not.toMatch(/"unhandled error"/);

    api.child.kill("SIGTERM");
    expect(await api.exited).toBe(0);
  }, 120_000);
});
