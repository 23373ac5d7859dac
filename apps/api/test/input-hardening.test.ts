// Attack-run findings outside uploads: LIKE wildcards in staff search, and storage keys that name
// no object (F4: /files/..%2f..%2fetc%2fpasswd answered 500).
import { createHmac } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { startJourney, type Journey } from "./journey-harness.js";

let j: Journey;
let campaignId: string;
let staff: { token: string };
let admin: { token: string };

beforeAll(async () => {
  j = await startJourney();
  campaignId = await j.campaign({ schoolPaid: true });
  await j.rosterEntry(campaignId, null);
  await j.rosterEntry(campaignId, null);
  const e = await j.rosterEntry(campaignId, null);
  await j.deps.db.rosterEntry.update({ where: { id: e.entryId }, data: { name: "李_华" } });
  staff = await j.staff("CUSTOMER_SERVICE");
  admin = await j.staff("SCHOOL_ADMIN");
}, 180_000);

describe("staff search takes % and _ literally", () => {
  it("graduate search: '%' finds nobody, '_' finds only the name with an underscore", async () => {
    const pct = await j.call("GET", `/api/staff/graduates?q=${encodeURIComponent("%")}&campaignId=${campaignId}`, { token: staff.token });
    expect(pct.status).toBe(200);
    expect(pct.body.items).toEqual([]);
    const us = await j.call("GET", `/api/staff/graduates?q=_&campaignId=${campaignId}`, { token: staff.token });
    expect(us.body.items.map((i: { name: string }) => i.name)).toEqual(["李_华"]);
    const backslash = await j.call("GET", `/api/staff/graduates?q=${encodeURIComponent("\\")}&campaignId=${campaignId}`, { token: staff.token });
    expect(backslash.status).toBe(200);
    expect(backslash.body.items).toEqual([]);
  });

  it("roster search and order search likewise", async () => {
    const roster = await j.call("GET", `/api/staff/campaigns/${campaignId}/roster?q=${encodeURIComponent("%")}`, { token: admin.token });
    expect(roster.status).toBe(200);
    expect(roster.body.total).toBe(0);
    const us = await j.call("GET", `/api/staff/campaigns/${campaignId}/roster?q=_`, { token: admin.token });
    expect(us.body.items.map((i: { name: string }) => i.name)).toEqual(["李_华"]);
    const orders = await j.call("GET", `/api/staff/orders?q=${encodeURIComponent("%")}&campaignId=${campaignId}`, { token: staff.token });
    expect(orders.status).toBe(200);
  });
});

describe("file links", () => {
  it("answers a key that names no object with 404, never 500 (F4)", async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    for (const p of ["..%2f..%2fetc%2fpasswd", "..%2F..%2Fetc%2Fpasswd", "photos/%2e%2e/%2e%2e/etc/passwd", "a//b", "%00", "photos/x/..%5c..%5cwin.ini"]) {
      const r = await fetch(`${j.url}/files/${p}?exp=${exp}&sig=${"a".repeat(43)}`);
      expect({ p, status: r.status }).toEqual({ p, status: expect.any(Number) });
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(r.status, p).toBeLessThan(500);
      const body = (await r.json()) as { code: string };
      expect(["NOT_FOUND", "LINK_EXPIRED", "VALIDATION_FAILED"], p).toContain(body.code);
    }
    // the attack request: validly signed (the signing secret was the public development one)
    const sig = createHmac("sha256", j.deps.config.signingSecret).update(`../../etc/passwd\n${exp}\n`).digest("base64url");
    const attack = await fetch(`${j.url}/files/..%2f..%2fetc%2fpasswd?exp=${exp}&sig=${sig}`);
    expect(attack.status).toBe(404);
    expect(await attack.json()).toMatchObject({ code: "NOT_FOUND" });
  });
});
