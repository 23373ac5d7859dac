import { beforeAll, describe, expect, it } from "vitest";
import { startJourney, toPhotoStep, type Journey } from "./journey-harness.js";

/**
 * Authorisation over the whole route table. Every route needs an entry here: a new route without
 * one fails the first test, so nobody adds an endpoint without deciding who may call it.
 */
type Sample = { params?: Record<string, "ownSubmission" | "photo" | "campaign" | "order" | "file">; body?: unknown; scoped?: boolean };
const ROUTES: Record<string, Sample> = {
  "GET /healthz": {},
  "GET /readyz": {},
  "GET /openapi.json": {},
  "GET /files/*": {},
  "POST /api/pay/notify": {},
  "POST /api/wx/login": {},
  "POST /api/staff/login": {},
  "POST /api/staff/logout": {},
  "GET /api/staff/me": {},
  "GET /api/campaigns/:id": { params: { id: "campaign" } },
  "GET /api/campaigns/:id/consent": { params: { id: "campaign" } },
  "POST /api/campaigns/:id/submission": { params: { id: "campaign" } },
  "GET /api/submissions/:id": { params: { id: "ownSubmission" } },
  "POST /api/submissions/:id/consent": { params: { id: "ownSubmission" }, body: { version: 1 } },
  "POST /api/submissions/:id/capture-code/scan": { params: { id: "ownSubmission" }, body: { text: "x" } },
  "POST /api/submissions/:id/capture-code/upload": { params: { id: "ownSubmission" } },
  "POST /api/submissions/:id/capture-code/confirm": { params: { id: "ownSubmission" }, body: { codeToken: "x".repeat(20) } },
  "POST /api/submissions/:id/orders": { params: { id: "ownSubmission" } },
  "GET /api/submissions/:id/orders/current": { params: { id: "ownSubmission" } },
  "POST /api/submissions/:id/photos": { params: { id: "ownSubmission" } },
  "GET /api/submissions/:id/photos/:photoId": { params: { id: "ownSubmission", photoId: "photo" } },
  "POST /api/submissions/:id/photos/:photoId/standardize": { params: { id: "ownSubmission", photoId: "photo" } },
  "POST /api/submissions/:id/submit": { params: { id: "ownSubmission" }, body: { photoId: "00000000-0000-4000-8000-000000000000" } },
  "GET /api/submissions/:id/admission-photo": { params: { id: "ownSubmission" } },
  "POST /api/submissions/:id/admission-photo/confirm": { params: { id: "ownSubmission" } },
  "POST /api/submissions/:id/admission-photo/dispute": { params: { id: "ownSubmission" }, body: { note: "x" } },
  "POST /api/submissions/:id/retake": { params: { id: "ownSubmission" } },
  "POST /api/subscriptions": { body: { accepted: [] } },
  "POST /api/staff/reviews/next": { body: { campaignId: "campaign" }, scoped: true },
  "POST /api/staff/reviews/:id": { params: { id: "ownSubmission" }, body: { decision: "APPROVED" }, scoped: true },
  "POST /api/staff/submissions/:id/manual-pass": { params: { id: "ownSubmission" }, body: { reason: "人工核验通过" }, scoped: true },
  "POST /api/staff/submissions/:id/resolve-dispute": { params: { id: "ownSubmission" }, body: { note: "已更正" }, scoped: true },
  "POST /api/staff/orders/:id/refunds": { params: { id: "order" }, body: { reason: "测试退款" }, scoped: true },
};

let j: Journey;
let ids: Record<string, string>;
let tokens: Record<string, string>;

beforeAll(async () => {
  j = await startJourney();
  const campaignId = await j.campaign();
  const entry = await j.rosterEntry(campaignId, null);
  const a = await toPhotoStep(j, campaignId, entry);
  const b = await j.graduate();
  const order = await j.deps.db.order.findFirstOrThrow({ where: { submissionId: a.submissionId } });
  const photo = await j.deps.db.photo.create({ data: { submissionId: a.submissionId, source: "CAMERA", originalKey: "photos/x/original", originalSha256: "0".repeat(64), originalBytes: 1 } });
  const otherSchool = await j.deps.db.school.create({ data: { code: `Y${Date.now() % 100000}`, name: "其他大学" } });
  ids = { ownSubmission: a.submissionId, campaign: campaignId, order: order.id, photo: photo.id };
  tokens = {
    graduateA: a.token,
    graduateB: b.token,
    operator: (await j.staff("OPERATOR")).token,
    SCHOOL_ADMIN: (await j.staff("SCHOOL_ADMIN")).token,
    REVIEWER: (await j.staff("REVIEWER")).token,
    CUSTOMER_SERVICE: (await j.staff("CUSTOMER_SERVICE")).token,
    otherSchoolAdmin: (await j.staff("SCHOOL_ADMIN", otherSchool.id)).token,
    otherSchoolReviewer: (await j.staff("REVIEWER", otherSchool.id)).token,
    otherSchoolService: (await j.staff("CUSTOMER_SERVICE", otherSchool.id)).token,
  };
}, 180_000);

function routes() {
  return j.app.routeTable.filter((r) => r.method !== "HEAD" && !r.url.startsWith("/docs") && r.url !== "*");
}

function urlOf(url: string, sample: Sample): string {
  return url.replace(/:(\w+)/g, (_, name: string) => ids[sample.params?.[name] ?? ""] ?? "00000000-0000-4000-8000-000000000000").replace("*", "x");
}

function bodyOf(sample: Sample): unknown {
  if (!sample.body || typeof sample.body !== "object") return sample.body;
  return Object.fromEntries(Object.entries(sample.body).map(([k, v]) => [k, v === "campaign" ? ids.campaign : v]));
}

describe("authorisation, table-driven over every route", () => {
  it("every route has an entry in the table", () => {
    const missing = routes().map((r) => `${r.method} ${r.url}`).filter((k) => !(k in ROUTES));
    expect(missing).toEqual([]);
  });

  it("protected routes refuse callers without a session (401)", async () => {
    for (const r of routes().filter((x) => x.auth !== "public")) {
      const s = ROUTES[`${r.method} ${r.url}`]!;
      const res = await j.call(r.method, urlOf(r.url, s), { body: bodyOf(s) });
      expect(res.status, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it("graduate routes refuse staff, staff routes refuse graduates (403)", async () => {
    for (const r of routes().filter((x) => x.auth === "graduate" || x.auth === "staff")) {
      const s = ROUTES[`${r.method} ${r.url}`]!;
      const token = r.auth === "graduate" ? tokens.operator : tokens.graduateA;
      const res = await j.call(r.method, urlOf(r.url, s), { token, body: bodyOf(s) });
      expect(res.status, `${r.method} ${r.url}`).toBe(403);
    }
  });

  it("a graduate cannot read or act on another graduate's submission (404, nothing changes)", async () => {
    const before = await j.deps.db.submission.findUniqueOrThrow({ where: { id: ids.ownSubmission } });
    for (const r of routes().filter((x) => x.auth === "graduate" && x.url.includes(":id") && x.url.startsWith("/api/submissions"))) {
      const s = ROUTES[`${r.method} ${r.url}`]!;
      const res = await j.call(r.method, urlOf(r.url, s), { token: tokens.graduateB, body: bodyOf(s) });
      expect([400, 404], `${r.method} ${r.url}: ${JSON.stringify(res.body)}`).toContain(res.status);
    }
    const after = await j.deps.db.submission.findUniqueOrThrow({ where: { id: ids.ownSubmission } });
    expect(after.version).toBe(before.version);
  });

  it("staff routes enforce roles and school scope", async () => {
    for (const r of routes().filter((x) => x.auth === "staff" && x.roles)) {
      const s = ROUTES[`${r.method} ${r.url}`]!;
      for (const role of ["SCHOOL_ADMIN", "REVIEWER", "CUSTOMER_SERVICE"] as const) {
        const res = await j.call(r.method, urlOf(r.url, s), { token: tokens[role], body: bodyOf(s) });
        if (!r.roles!.includes(role)) expect(res.status, `${role} → ${r.method} ${r.url}`).toBe(403);
        else expect(res.status, `${role} → ${r.method} ${r.url}`).not.toBe(403);
      }
      if (s.scoped) {
        const other = r.roles!.includes("SCHOOL_ADMIN") ? tokens.otherSchoolAdmin : r.roles!.includes("REVIEWER") ? tokens.otherSchoolReviewer : tokens.otherSchoolService;
        const res = await j.call(r.method, urlOf(r.url, s), { token: other, body: bodyOf(s) });
        expect(res.status, `other school → ${r.method} ${r.url}`).toBe(403);
      }
    }
  });
});
