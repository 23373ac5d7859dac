// Attack-run finding F3 as regression tests: per-graduate limits were keyed on the raw Authorization
// header, and authentication accepted any whitespace after "Bearer", so respelling the header (or
// logging in again) gave a fresh budget; the route limit also replaced the per-IP limit.
import { beforeAll, describe, expect, it } from "vitest";
import { startJourney, type Journey } from "./journey-harness.js";

let j: Journey;

beforeAll(async () => {
  j = await startJourney();
}, 180_000);

async function consentedGraduate(jj: Journey, campaignId: string, openid?: string) {
  const { code } = jj.fake.miniProgram.issueLoginCode(openid ? { openid } : {});
  const login = await jj.call("POST", "/api/wx/login", { body: { code } });
  const token = login.body.token as string;
  const start = await jj.call("POST", `/api/campaigns/${campaignId}/submission`, { token });
  await jj.call("POST", `/api/submissions/${start.body.id}/consent`, { token, body: { version: 1, clientInfo: { platform: "test" } } });
  return { token, id: start.body.id as string, openid: login.body.openid as string | undefined };
}

async function scan(url: string, id: string, authorization: string) {
  const r = await fetch(`${url}/api/submissions/${id}/capture-code/scan`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify({ text: "not a code" }) });
  return { status: r.status, body: (await r.json()) as { code: string } };
}

describe("rate limits keyed on the authenticated subject (F3)", () => {
  it("accepts exactly `Bearer <token>`: extra spaces, tabs or another scheme spelling are 401", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const g = await consentedGraduate(j, campaignId);
    expect((await scan(j.url, g.id, `Bearer ${g.token}`)).status).toBe(422); // CODE_INVALID: authenticated
    // (trailing whitespace is not part of a header value in HTTP, so it is not listed)
    for (const h of [`Bearer  ${g.token}`, `Bearer\t${g.token}`, `bearer ${g.token}`, `Basic ${g.token}`, `Bearer   ${g.token}`]) {
      const r = await scan(j.url, g.id, h);
      expect({ h: JSON.stringify(h.slice(0, 9)), status: r.status, code: r.body.code }).toEqual({ h: JSON.stringify(h.slice(0, 9)), status: 401, code: "UNAUTHENTICATED" });
    }
  });

  it("one graduate gets 20 scans a minute however the header is spelt and however many sessions they open", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const g = await consentedGraduate(j, campaignId);
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await scan(j.url, g.id, `Bearer ${g.token}`)).status);
    expect(statuses.filter((s) => s === 422)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual([429, 429]);
    // the attack: the same token with N spaces after "Bearer" (0 of 10 were limited before)
    for (let n = 2; n < 12; n++) expect((await scan(j.url, g.id, `Bearer${" ".repeat(n)}${g.token}`)).status).not.toBe(422);
    // a second login of the same WeChat user is the same graduate: no fresh budget
    const { code } = j.fake.miniProgram.issueLoginCode({ openid: await openidOf(g.token) });
    const again = await j.call("POST", "/api/wx/login", { body: { code } });
    expect(again.body.token).not.toBe(g.token);
    const r = await scan(j.url, g.id, `Bearer ${again.body.token}`);
    expect(r).toMatchObject({ status: 429, body: { code: "RATE_LIMITED" } });
    // another graduate is not affected
    const other = await consentedGraduate(j, campaignId);
    expect((await scan(j.url, other.id, `Bearer ${other.token}`)).status).toBe(422);
  });

  it("keeps the per-IP limit on routes that also have a per-graduate limit", async () => {
    const small = await startJourney({ env: { RATE_LIMIT_PER_MINUTE: "25" } });
    const campaignId = await small.campaign({ schoolPaid: true });
    // each graduate stays far below its own 20, together they pass the IP's 25 (logins and consent count too)
    const gs = [];
    for (let i = 0; i < 4; i++) gs.push(await consentedGraduate(small, campaignId));
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) for (const g of gs) statuses.push((await scan(small.url, g.id, `Bearer ${g.token}`)).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 422).length).toBeLessThan(20);
  });
});

async function openidOf(token: string): Promise<string> {
  const s = await j.deps.db.session.findFirstOrThrow({ where: { tokenHash: (await import("../src/lib/tokens.js")).hashToken(token) }, include: { wechatUser: true } });
  return s.wechatUser!.openid;
}

describe("per-staff-account limits on expensive staff routes", () => {
  async function confirm(token: string) {
    // a well-formed id of no import: authenticated, authorised, then 404 — cheap, but counted like a real confirm
    return j.call("POST", "/api/staff/roster-imports/00000000-0000-4000-8000-000000000000/confirm", { token });
  }

  it("limits one staff account however many sessions it opens, never another account", async () => {
    const a = await j.staff("SCHOOL_ADMIN");
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await confirm(a.token)).status);
    expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(statuses[30]).toBe(429);
    // a second login of the same account is a new Authorization header but the same staff id
    const { username } = await j.deps.db.staffUser.findUniqueOrThrow({ where: { id: a.id } });
    const again = await j.call("POST", "/api/staff/login", { body: { username, password: "staff-password-1" } });
    expect(again.body.token).not.toBe(a.token);
    expect(await confirm(again.body.token as string)).toMatchObject({ status: 429, body: { code: "RATE_LIMITED" } });
    // another admin of the same school, from the same IP, still has its own budget
    const b = await j.staff("SCHOOL_ADMIN");
    expect((await confirm(b.token)).status).toBe(404);
    // and the limited account can still use routes without a per-staff limit (the per-IP limit still applies there)
    expect((await j.call("GET", "/api/staff/me", { token: a.token })).status).toBe(200);
  });
});
