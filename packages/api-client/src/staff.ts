import { z } from "zod";
import {
  RetentionReportSchema,
  SchoolRetentionSchema,
  NotificationPageSchema,
  NotificationQuerySchema,
  NotificationResendSchema,
  AuditPageSchema,
  AuditQuerySchema,
  CampaignAdminSchema,
  CampaignListSchema,
  DashboardSchema,
  DemoCodeSheetSchema,
  ExportJobListSchema,
  ExportJobSchema,
  ExportLinkSchema,
  GraduateHistorySchema,
  GraduateSearchResultSchema,
  ServiceWorklistSchema,
  ImportJobListSchema,
  ImportJobSchema,
  OkSchema,
  OrderAdminSchema,
  OrderPageSchema,
  OrderQuerySchema,
  RefundViewSchema,
  RejectionReasonListSchema,
  RejectionReasonSchema,
  ReviewItemSchema,
  ReviewStatsSchema,
  RosterEntryAdminSchema,
  RosterPageSchema,
  RosterQuerySchema,
  SchoolSchema,
  StaffAccountSchema,
  StaffLoginResponseSchema,
  StaffProfileSchema,
  SubmissionViewSchema,
  type CampaignCreate,
  type CampaignUpdate,
  type ReviewDecision,
  type StaffAccountCreate,
  type StaffAccountUpdate,
} from "@gradphoto/contracts";
import type { ApiCore } from "./core.js";

/** Query string from an object, leaving out undefined and empty values. */
function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

const enc = encodeURIComponent;
const SchoolListSchema = z.object({ items: z.array(SchoolSchema) });
const AccountListSchema = z.object({ items: z.array(StaffAccountSchema) });

/**
 * The staff API (admin console), one method per route, every answer validated with the shared
 * contracts. Errors are `ApiRequestError` with the server's Chinese message.
 */
export class StaffApi {
  constructor(readonly core: ApiCore) {}

  // ── session ──
  async login(username: string, password: string) {
    const r = await this.core.request(StaffLoginResponseSchema, { method: "POST", path: "/api/staff/login", json: { username, password } });
    this.core.token = r.token;
    return r;
  }
  async logout() {
    try {
      await this.core.request(z.object({ ok: z.literal(true) }), { method: "POST", path: "/api/staff/logout" });
    } finally {
      this.core.token = null;
    }
  }
  me() {
    return this.core.request(StaffProfileSchema, { method: "GET", path: "/api/staff/me" });
  }

  // ── schools and accounts ──
  schools() {
    return this.core.request(SchoolListSchema, { method: "GET", path: "/api/staff/schools" });
  }
  createSchool(body: { code: string; name: string }) {
    return this.core.request(SchoolSchema, { method: "POST", path: "/api/staff/schools", json: body });
  }
  accounts() {
    return this.core.request(AccountListSchema, { method: "GET", path: "/api/staff/accounts" });
  }
  createAccount(body: StaffAccountCreate) {
    return this.core.request(StaffAccountSchema, { method: "POST", path: "/api/staff/accounts", json: body });
  }
  updateAccount(id: string, body: StaffAccountUpdate) {
    return this.core.request(StaffAccountSchema, { method: "PATCH", path: `/api/staff/accounts/${enc(id)}`, json: body });
  }

  // ── campaigns ──
  campaigns(schoolId?: string) {
    return this.core.request(CampaignListSchema, { method: "GET", path: `/api/staff/campaigns${qs({ schoolId })}` });
  }
  campaign(id: string) {
    return this.core.request(CampaignAdminSchema, { method: "GET", path: `/api/staff/campaigns/${enc(id)}` });
  }
  createCampaign(body: CampaignCreate) {
    return this.core.request(CampaignAdminSchema, { method: "POST", path: "/api/staff/campaigns", json: body });
  }
  updateCampaign(id: string, body: CampaignUpdate) {
    return this.core.request(CampaignAdminSchema, { method: "PATCH", path: `/api/staff/campaigns/${enc(id)}`, json: body });
  }
  deleteCampaign(id: string) {
    return this.core.request(OkSchema, { method: "DELETE", path: `/api/staff/campaigns/${enc(id)}` });
  }
  publishConsent(id: string, text: string) {
    return this.core.request(CampaignAdminSchema, { method: "POST", path: `/api/staff/campaigns/${enc(id)}/consent-texts`, json: { text } });
  }

  // ── roster ──
  uploadRoster(campaignId: string, file: Blob, name: string) {
    return this.core.request(ImportJobSchema, { method: "POST", path: `/api/staff/campaigns/${enc(campaignId)}/roster-imports`, file: { field: "file", name, data: file } });
  }
  confirmRoster(importId: string) {
    return this.core.request(ImportJobSchema, { method: "POST", path: `/api/staff/roster-imports/${enc(importId)}/confirm` });
  }
  uploadAdmissionZip(campaignId: string, file: Blob, name: string) {
    return this.core.request(ImportJobSchema, { method: "POST", path: `/api/staff/campaigns/${enc(campaignId)}/admission-imports`, file: { field: "file", name, data: file } });
  }
  importJob(id: string) {
    return this.core.request(ImportJobSchema, { method: "GET", path: `/api/staff/roster-imports/${enc(id)}` });
  }
  imports(campaignId: string) {
    return this.core.request(ImportJobListSchema, { method: "GET", path: `/api/staff/campaigns/${enc(campaignId)}/imports` });
  }
  roster(campaignId: string, query: Partial<z.output<typeof RosterQuerySchema>> = {}) {
    return this.core.request(RosterPageSchema, { method: "GET", path: `/api/staff/campaigns/${enc(campaignId)}/roster${qs(query)}` });
  }
  replaceAdmissionPhoto(entryId: string, file: Blob, name: string) {
    return this.core.request(RosterEntryAdminSchema, { method: "POST", path: `/api/staff/roster-entries/${enc(entryId)}/admission-photo`, file: { field: "file", name, data: file } });
  }
  demoCodes(campaignId: string, entryIds: string[]) {
    return this.core.request(DemoCodeSheetSchema, { method: "POST", path: `/api/staff/campaigns/${enc(campaignId)}/demo-codes`, json: { entryIds } });
  }

  // ── dashboard and audit ──
  dashboard(campaignId: string) {
    return this.core.request(DashboardSchema, { method: "GET", path: `/api/staff/campaigns/${enc(campaignId)}/dashboard` });
  }
  auditLogs(query: Partial<z.output<typeof AuditQuerySchema>> = {}) {
    return this.core.request(AuditPageSchema, { method: "GET", path: `/api/staff/audit-logs${qs(query)}` });
  }

  // ── review ──
  nextReview(campaignId: string) {
    return this.core.request(ReviewItemSchema.nullable(), { method: "POST", path: "/api/staff/reviews/next", json: { campaignId } });
  }
  decide(submissionId: string, decision: ReviewDecision) {
    return this.core.request(SubmissionViewSchema, { method: "POST", path: `/api/staff/reviews/${enc(submissionId)}`, json: decision });
  }
  reviewStats(campaignId: string) {
    return this.core.request(ReviewStatsSchema, { method: "GET", path: `/api/staff/campaigns/${enc(campaignId)}/review-stats` });
  }
  rejectionReasons(schoolId?: string) {
    return this.core.request(RejectionReasonListSchema, { method: "GET", path: `/api/staff/rejection-reasons${qs({ schoolId })}` });
  }
  createRejectionReason(body: { text: string; schoolId?: string; sortOrder?: number }) {
    return this.core.request(RejectionReasonSchema, { method: "POST", path: "/api/staff/rejection-reasons", json: body });
  }
  updateRejectionReason(id: string, body: { text?: string; active?: boolean; sortOrder?: number }) {
    return this.core.request(RejectionReasonSchema, { method: "PATCH", path: `/api/staff/rejection-reasons/${enc(id)}`, json: body });
  }
  deleteRejectionReason(id: string) {
    return this.core.request(OkSchema, { method: "DELETE", path: `/api/staff/rejection-reasons/${enc(id)}` });
  }

  // ── customer service ──
  searchGraduates(q: string, campaignId?: string) {
    return this.core.request(GraduateSearchResultSchema, { method: "GET", path: `/api/staff/graduates${qs({ q, campaignId })}` });
  }
  serviceWorklist(campaignId?: string) {
    return this.core.request(ServiceWorklistSchema, { method: "GET", path: `/api/staff/service/worklist${qs({ campaignId })}` });
  }
  history(submissionId: string) {
    return this.core.request(GraduateHistorySchema, { method: "GET", path: `/api/staff/submissions/${enc(submissionId)}/history` });
  }
  manualPass(submissionId: string, reason: string) {
    return this.core.request(SubmissionViewSchema, { method: "POST", path: `/api/staff/submissions/${enc(submissionId)}/manual-pass`, json: { reason } });
  }
  resolveDispute(submissionId: string, note: string) {
    return this.core.request(SubmissionViewSchema, { method: "POST", path: `/api/staff/submissions/${enc(submissionId)}/resolve-dispute`, json: { note } });
  }
  unbindCode(submissionId: string, reason: string) {
    return this.core.request(SubmissionViewSchema, { method: "POST", path: `/api/staff/submissions/${enc(submissionId)}/unbind-code`, json: { reason } });
  }

  // ── payments ──
  orders(query: Partial<z.output<typeof OrderQuerySchema>> = {}) {
    return this.core.request(OrderPageSchema, { method: "GET", path: `/api/staff/orders${qs(query)}` });
  }
  reconcile(orderId: string) {
    return this.core.request(OrderAdminSchema, { method: "POST", path: `/api/staff/orders/${enc(orderId)}/reconcile` });
  }
  resolvePaymentAnomaly(orderId: string, transactionId: string, note: string) {
    return this.core.request(OrderAdminSchema, { method: "POST", path: `/api/staff/orders/${enc(orderId)}/payments/${enc(transactionId)}/resolve`, json: { note } });
  }
  refund(orderId: string, body: { reason: string; amountFen?: number }) {
    return this.core.request(RefundViewSchema, { method: "POST", path: `/api/staff/orders/${enc(orderId)}/refunds`, json: body });
  }

  // ── personal-data retention ──
  retention(campaignId: string) {
    return this.core.request(RetentionReportSchema, { method: "GET", path: `/api/staff/campaigns/${enc(campaignId)}/retention` });
  }
  purgeCampaign(campaignId: string) {
    return this.core.request(RetentionReportSchema, { method: "POST", path: `/api/staff/campaigns/${enc(campaignId)}/retention/purge` });
  }
  setSchoolRetention(schoolId: string, retentionDays: number) {
    return this.core.request(SchoolRetentionSchema.extend({ id: z.string() }), { method: "PUT", path: `/api/staff/schools/${enc(schoolId)}/retention`, json: { retentionDays } });
  }

  // ── notifications that need staff ──
  notifications(query: Partial<z.output<typeof NotificationQuerySchema>> = {}) {
    return this.core.request(NotificationPageSchema, { method: "GET", path: `/api/staff/notifications${qs(query)}` });
  }
  resendNotification(id: string) {
    return this.core.request(NotificationResendSchema, { method: "POST", path: `/api/staff/notifications/${enc(id)}/resend` });
  }

  // ── export ──
  startExport(campaignId: string) {
    return this.core.request(ExportJobSchema, { method: "POST", path: `/api/staff/campaigns/${enc(campaignId)}/exports` });
  }
  exports(campaignId: string) {
    return this.core.request(ExportJobListSchema, { method: "GET", path: `/api/staff/campaigns/${enc(campaignId)}/exports` });
  }
  exportJob(id: string) {
    return this.core.request(ExportJobSchema, { method: "GET", path: `/api/staff/exports/${enc(id)}` });
  }
  exportLink(id: string) {
    return this.core.request(ExportLinkSchema, { method: "POST", path: `/api/staff/exports/${enc(id)}/link` });
  }
}
