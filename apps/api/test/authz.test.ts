import { beforeAll, describe, expect, it } from "vitest";
import { startJourney, toPhotoStep, type Journey } from "./journey-harness.js";

/**
 * Authorisation over the whole route table. Every route needs an entry here: a new route without
 * one fails the first test, so nobody adds an endpoint without deciding who may call it.
 */
type IdKind = "ownSubmission" | "photo" | "campaign" | "order" | "file" | "school" | "account" | "rosterImport" | "rosterEntry" | "reason" | "export" | "notification";
/**
 * params: which resource each path parameter names; body/query: sample input where "$kind" (or the legacy
 * "campaign") stands for a resource id; scoped: a caller from another school must get 403.
 */
type Sample = { params?: Record<string, IdKind>; body?: unknown; query?: Record<string, string>; scoped?: boolean };
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
  "POST /api/submissions/:id/photo-precheck": { params: { id: "ownSubmission" } },
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
  // admin console (issue 9)
  "GET /api/staff/schools": {},
  "POST /api/staff/schools": { body: { code: `T${Math.floor(Math.random() * 1e8)}`, name: "权限测试大学" } },
  "GET /api/staff/accounts": {},
  "POST /api/staff/accounts": { body: { username: `authz_${Date.now().toString(36)}`, displayName: "测试", role: "REVIEWER", schoolId: "$school", password: "a-long-password-1" } },
  "PATCH /api/staff/accounts/:id": { params: { id: "account" }, body: { displayName: "改名" } },
  "GET /api/staff/campaigns": {},
  "GET /api/staff/campaigns/:id": { params: { id: "campaign" }, scoped: true },
  "POST /api/staff/campaigns": { body: { ...campaignSample(), schoolId: "$school" }, scoped: true },
  "PATCH /api/staff/campaigns/:id": { params: { id: "campaign" }, body: { cohort: "2026届" }, scoped: true },
  "DELETE /api/staff/campaigns/:id": { params: { id: "campaign" }, scoped: true },
  "POST /api/staff/campaigns/:id/consent-texts": { params: { id: "campaign" }, body: { text: "温馨提示：新版本，请本人采集，勿替他人采集。" }, scoped: true },
  "POST /api/staff/campaigns/:id/roster-imports": { params: { id: "campaign" }, scoped: true },
  "POST /api/staff/roster-imports/:id/confirm": { params: { id: "rosterImport" }, scoped: true },
  "POST /api/staff/campaigns/:id/admission-imports": { params: { id: "campaign" }, scoped: true },
  "GET /api/staff/roster-imports/:id": { params: { id: "rosterImport" }, scoped: true },
  "GET /api/staff/campaigns/:id/imports": { params: { id: "campaign" }, scoped: true },
  "GET /api/staff/campaigns/:id/roster": { params: { id: "campaign" }, scoped: true },
  "POST /api/staff/roster-entries/:id/admission-photo": { params: { id: "rosterEntry" }, scoped: true },
  "POST /api/staff/campaigns/:id/demo-codes": { params: { id: "campaign" }, body: { entryIds: ["$rosterEntry"] }, scoped: true },
  "GET /api/staff/campaigns/:id/dashboard": { params: { id: "campaign" }, scoped: true },
  "GET /api/staff/audit-logs": { query: { schoolId: "$school" }, scoped: true },
  "GET /api/staff/rejection-reasons": { query: { schoolId: "$school" }, scoped: true },
  "POST /api/staff/rejection-reasons": { body: { text: "照片模糊", schoolId: "$school" }, scoped: true },
  "PATCH /api/staff/rejection-reasons/:id": { params: { id: "reason" }, body: { text: "照片模糊，请重拍" }, scoped: true },
  "DELETE /api/staff/rejection-reasons/:id": { params: { id: "reason" }, scoped: true },
  "GET /api/staff/campaigns/:id/review-stats": { params: { id: "campaign" }, scoped: true },
  // search and the order list answer only the caller's school (another school sees nothing, see staff-admin.test.ts)
  "GET /api/staff/graduates": { query: { q: "张" } },
  "GET /api/staff/service/worklist": {},
  "GET /api/staff/submissions/:id/history": { params: { id: "ownSubmission" }, scoped: true },
  "POST /api/staff/submissions/:id/unbind-code": { params: { id: "ownSubmission" }, body: { reason: "采集码绑定错误，客服解绑" }, scoped: true },
  "GET /api/staff/orders": {},
  "POST /api/staff/orders/:id/reconcile": { params: { id: "order" }, scoped: true },
  "POST /api/staff/orders/:id/payments/:transactionId/resolve": { params: { id: "order" }, body: { note: "已处理" }, scoped: true },
  "GET /api/staff/notifications": {},
  "POST /api/staff/notifications/:id/resend": { params: { id: "notification" }, scoped: true },
  "GET /api/staff/campaigns/:id/retention": { params: { id: "campaign" }, scoped: true },
  "POST /api/staff/campaigns/:id/retention/purge": { params: { id: "campaign" }, scoped: true },
  "PUT /api/staff/schools/:id/retention": { params: { id: "school" }, body: { retentionDays: 180 }, scoped: true },
  "POST /api/staff/campaigns/:id/exports": { params: { id: "campaign" }, scoped: true },
  "GET /api/staff/campaigns/:id/exports": { params: { id: "campaign" }, scoped: true },
  "GET /api/staff/exports/:id": { params: { id: "export" }, scoped: true },
  "POST /api/staff/exports/:id/link": { params: { id: "export" }, scoped: true },
};

function campaignSample() {
  const now = Date.now();
  return {
    name: "权限测试活动",
    cohort: "2026届",
    opensAt: new Date(now).toISOString(),
    closesAt: new Date(now + 7 * 86400_000).toISOString(),
    schoolPaid: true,
    feeFen: 0,
    reviewMode: "MANUAL",
    photoSpec: { background: "blue", minKb: 20, maxKb: 40, album: { minWidth: 480, maxWidth: 1350, minHeight: 640, maxHeight: 1800, minKb: 50, maxKb: 1024 } },
    contacts: { customerServicePhone: "400-000-0000", customerServiceHours: "工作日", registrarContact: "学籍科", paymentContact: "pay@example.edu.cn" },
    consentText: "温馨提示：请本人采集，勿替他人采集。",
  };
}

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
  const account = await j.staff("REVIEWER");
  const reason = await j.deps.db.rejectionReasonTemplate.create({ data: { schoolId: j.schoolId, text: "背景不符合要求" } });
  await j.deps.storage.put("exports/authz/export.zip", Buffer.from("PK"));
  const operator = await j.staff("OPERATOR");
  const exportJob = await j.deps.db.exportJob.create({ data: { campaignId, requestedBy: operator.id, status: "DONE", objectKey: "exports/authz/export.zip", expiresAt: new Date(Date.now() + 3600_000) } });
  const csv = new FormData();
  csv.append("file", new Blob(["学信网唯一编号,姓名,身份证号,学院,专业,学历层次\n2026AUTHZ0001,张三,110101199003074514,文学院,汉语言文学,本科\n"], { type: "text/csv" }), "roster.csv");
  const imp = await j.call("POST", `/api/staff/campaigns/${campaignId}/roster-imports`, { token: operator.token, form: csv });
  if (imp.status !== 200) throw new Error(`roster upload failed: ${JSON.stringify(imp.body)}`);
  const sub = await j.deps.db.submission.findUniqueOrThrow({ where: { id: a.submissionId } });
  const notification = await j.deps.db.notification.create({ data: { wechatUserId: sub.wechatUserId, submissionId: a.submissionId, kind: "REVIEW_PASSED", templateId: "tpl-review-passed", payload: {}, status: "FAILED", lastError: "WECHAT_UNAVAILABLE" } });
  ids = { notification: notification.id, ownSubmission: a.submissionId, campaign: campaignId, order: order.id, photo: photo.id, school: j.schoolId, account: account.id, reason: reason.id, export: exportJob.id, rosterImport: imp.body.id, rosterEntry: entry.entryId };
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
  const path = url.replace(/:(\w+)/g, (_, name: string) => ids[sample.params?.[name] ?? ""] ?? "00000000-0000-4000-8000-000000000000").replace("*", "x");
  const query = sample.query ? new URLSearchParams(substitute(sample.query) as Record<string, string>).toString() : "";
  return query ? `${path}?${query}` : path;
}

/** "$kind" (and the legacy "campaign") → the id of that sample resource, in nested bodies too. */
function substitute(v: unknown): unknown {
  if (typeof v === "string") return v === "campaign" ? ids.campaign : v.startsWith("$") ? ids[v.slice(1)] : v;
  if (Array.isArray(v)) return v.map(substitute);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x)]));
  return v;
}

function bodyOf(sample: Sample): unknown {
  return substitute(sample.body);
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

  it("staff routes: every role × own and other school (callers to refuse go first, so no side effect can hide a 403)", async () => {
    const principals = [
      { who: "SCHOOL_ADMIN of another school", role: "SCHOOL_ADMIN", own: false, token: tokens.otherSchoolAdmin },
      { who: "REVIEWER of another school", role: "REVIEWER", own: false, token: tokens.otherSchoolReviewer },
      { who: "CUSTOMER_SERVICE of another school", role: "CUSTOMER_SERVICE", own: false, token: tokens.otherSchoolService },
      { who: "OPERATOR", role: "OPERATOR", own: true, token: tokens.operator },
      { who: "SCHOOL_ADMIN", role: "SCHOOL_ADMIN", own: true, token: tokens.SCHOOL_ADMIN },
      { who: "REVIEWER", role: "REVIEWER", own: true, token: tokens.REVIEWER },
      { who: "CUSTOMER_SERVICE", role: "CUSTOMER_SERVICE", own: true, token: tokens.CUSTOMER_SERVICE },
    ];
    const table: string[] = [];
    // logout ends the caller's session; it is covered by the 401/403 tests above
    for (const r of routes().filter((x) => x.auth === "staff" && x.url !== "/api/staff/logout")) {
      const s = ROUTES[`${r.method} ${r.url}`]!;
      const calls = principals
        .map((p) => ({ ...p, refuse: (r.roles !== undefined && !r.roles.includes(p.role as never)) || (!p.own && Boolean(s.scoped)) }))
        .sort((a, b) => Number(b.refuse) - Number(a.refuse));
      const row: string[] = [];
      for (const c of calls) {
        const res = await j.call(r.method, urlOf(r.url, s), { token: c.token, body: bodyOf(s) });
        if (c.refuse) expect(res.status, `${c.who} → ${r.method} ${r.url}: ${JSON.stringify(res.body).slice(0, 200)}`).toBe(403);
        else expect([401, 403], `${c.who} → ${r.method} ${r.url}: ${JSON.stringify(res.body).slice(0, 200)}`).not.toContain(res.status);
        row.push(`${c.who}=${res.status}`);
      }
      table.push(`${r.method} ${r.url}: ${row.join(" ")}`);
    }
    if (process.env.AUTHZ_PRINT) console.log(table.join("\n"));
    expect(table.length).toBeGreaterThan(35);
  });
});
