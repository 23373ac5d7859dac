import { describe, expect, it } from "vitest";
import { hash } from "@node-rs/argon2";
import { uniqueSuffix } from "@gradphoto/testkit";
import { startTestServer } from "./helpers.js";

const server = await startTestServer({ LOGIN_RATE_LIMIT_PER_MINUTE: "8", STAFF_MAX_FAILED_LOGINS: "3" });
// a second server for a burst of logins that must not run into the first one's login rate limit
const burst = await startTestServer({ STAFF_MAX_FAILED_LOGINS: "3" });

async function makeStaff(role: "OPERATOR" | "SCHOOL_ADMIN" | "REVIEWER" | "CUSTOMER_SERVICE" = "REVIEWER") {
  const username = `u_${uniqueSuffix()}`;
  const school = await server.deps.db.school.create({ data: { code: `S${uniqueSuffix()}`, name: "测试学院" } });
  const staff = await server.deps.db.staffUser.create({
    data: { username, displayName: "测试", role, schoolId: role === "OPERATOR" ? null : school.id, passwordHash: await hash("correct horse battery") },
  });
  return { staff, username, password: "correct horse battery" };
}

describe("health and docs", () => {
  it("answers /healthz and /readyz with database and storage checks", async () => {
    expect((await server.call("GET", "/healthz")).body).toEqual({ status: "ok" });
    const ready = await server.call("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: "ok", checks: { database: { ok: true }, storage: { ok: true } } });
  });

  it("serves the OpenAPI document and the docs page", async () => {
    const doc = await server.call("GET", "/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(["/healthz", "/readyz", "/api/staff/login", "/api/staff/me"]));
    expect(doc.body.paths["/api/staff/login"].post.requestBody).toBeDefined();
    const page = await fetch(`${server.url}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("swagger");
  });

  it("every route declares who may call it", () => {
    const routes = server.app.routeTable;
    const undeclared = routes.filter((r) => !r.auth).map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThan(4);
    expect(undeclared).toEqual([]);
  });
});

describe("error shape", () => {
  it("404 for unknown routes with a Chinese message", async () => {
    const r = await server.call("GET", "/api/nope");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ code: "NOT_FOUND", message: "请求的内容不存在" });
  });

  it("400 VALIDATION_FAILED with details for bad bodies and malformed JSON", async () => {
    const r = await server.call("POST", "/api/staff/login", { body: { username: "" } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("VALIDATION_FAILED");
    expect(r.body.message).toMatch(/请求参数有误/);
    expect(Array.isArray(r.body.details)).toBe(true);
    const bad = await server.call("POST", "/api/staff/login", { body: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("VALIDATION_FAILED");
  });

  it("401 for protected routes without or with a bogus token", async () => {
    expect((await server.call("GET", "/api/staff/me")).body.code).toBe("UNAUTHENTICATED");
    expect((await server.call("GET", "/api/staff/me", { token: "x".repeat(43) })).status).toBe(401);
  });

  it("sets security headers and a request id", async () => {
    const r = await server.call("GET", "/healthz");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("x-request-id")).toMatch(/[0-9a-f-]{36}/);
    // API answers (personal data) are never cached; errors included
    const api = await server.call("GET", "/api/staff/me");
    expect(api.headers.get("cache-control")).toBe("no-store");
  });

  it("allows CORS only for configured origins", async () => {
    const ok = await fetch(`${server.url}/healthz`, { headers: { origin: "http://127.0.0.1:5173" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:5173");
    const no = await fetch(`${server.url}/healthz`, { headers: { origin: "https://evil.example" } });
    expect(no.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("staff sessions", () => {
  it("logs in with argon2, reads /me, logs out, and the token dies", async () => {
    const { username, password, staff } = await makeStaff("SCHOOL_ADMIN");
    const login = await server.call("POST", "/api/staff/login", { body: { username, password } });
    expect(login.status).toBe(200);
    expect(login.body.staff).toMatchObject({ id: staff.id, role: "SCHOOL_ADMIN" });
    const token = login.body.token as string;
    expect((await server.call("GET", "/api/staff/me", { token })).body.username).toBe(username);
    const stored = await server.deps.db.session.findMany({ where: { staffUserId: staff.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).not.toContain(token);
    expect((await server.call("POST", "/api/staff/logout", { token })).status).toBe(200);
    expect((await server.call("GET", "/api/staff/me", { token })).status).toBe(401);
    const audits = await server.deps.db.auditLog.findMany({ where: { actorId: staff.id, action: "staff.login" } });
    expect(audits).toHaveLength(1);
  });

  it("rejects expired sessions with SESSION_EXPIRED", async () => {
    const { username, password, staff } = await makeStaff();
    const { body } = await server.call("POST", "/api/staff/login", { body: { username, password } });
    await server.deps.db.session.updateMany({ where: { staffUserId: staff.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const r = await server.call("GET", "/api/staff/me", { token: body.token });
    expect(r.body.code).toBe("SESSION_EXPIRED");
  });

  it("locks the account after repeated failures, even for the right password", async () => {
    const { username, password } = await makeStaff();
    for (let i = 0; i < 3; i++) {
      const r = await server.call("POST", "/api/staff/login", { body: { username, password: "wrong" } });
      expect(r.body.code).toBe("INVALID_CREDENTIALS");
    }
    const locked = await server.call("POST", "/api/staff/login", { body: { username, password } });
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe("ACCOUNT_LOCKED");
    expect(locked.body.message).toMatch(/锁定/);
  });

  it("counts wrong guesses sent at once: a parallel burst locks the account too", async () => {
    const { username, password, staff } = await makeStaff();
    const guesses = await Promise.all(Array.from({ length: 6 }, () => burst.call("POST", "/api/staff/login", { body: { username, password: "wrong" } })));
    expect(guesses.every((r) => r.body.code === "INVALID_CREDENTIALS" || r.body.code === "ACCOUNT_LOCKED")).toBe(true);
    const after = await burst.call("POST", "/api/staff/login", { body: { username, password } });
    expect(after.status).toBe(423);
    const failures = await burst.deps.db.auditLog.count({ where: { actorId: staff.id, action: { in: ["staff.login_failed", "staff.locked"] } } });
    expect(failures).toBe(guesses.filter((r) => r.body.code === "INVALID_CREDENTIALS").length);
  });

  it("rate-limits the login route", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await server.call("POST", "/api/staff/login", { body: { username: `nobody_${i}`, password: "x" } })).status);
    expect(statuses).toContain(429);
    const r = await server.call("POST", "/api/staff/login", { body: { username: "nobody", password: "x" } });
    expect(r.body).toMatchObject({ code: "RATE_LIMITED", message: "操作过于频繁，请稍后再试" });
  });
});
