import { z } from "zod";
import { StaffRoleSchema } from "./staff.js";
import { SubmissionStateSchema, SubmissionViewSchema } from "./journey.js";
import { PhotoCheckSchema, PhotoMarkSchema } from "./photos.js";

/**
 * Schemas of the admin console's staff routes (campaigns, roster, dashboard, review templates,
 * customer service, payments, export, audit, accounts). One schema serves validation, types and OpenAPI.
 */

const uuid = () => z.string().uuid();
const isoDate = () => z.string().datetime({ offset: true });
const page = z.coerce.number().int().min(1).max(100000).default(1);
const pageSize = (max = 200, def = 20) => z.coerce.number().int().min(1).max(max).default(def);

/** A page of results. */
export function pagedSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
}

export const TaskStatusSchema = z.enum(["QUEUED", "RUNNING", "DONE", "FAILED"]).meta({ id: "TaskStatus" });
export const CampaignStatusSchema = z.enum(["DRAFT", "OPEN", "CLOSED"]).meta({ id: "CampaignStatus" });
export const ReviewModeSchema = z.enum(["MANUAL", "AUTOMATIC"]).meta({ id: "ReviewMode" });
export const RetakePolicySchema = z.enum(["PAY_AGAIN", "CONTACT_SUPPORT"]).meta({ id: "RetakePolicy" });
export const AdmissionPhotoStatusSchema = z.enum(["MISSING", "PRESENT", "DISPUTED"]).meta({ id: "AdmissionPhotoStatus" });
export const OrderStatusSchema = z.enum(["CREATED", "PAID", "CLOSED", "REFUNDING", "PARTIALLY_REFUNDED", "REFUNDED"]).meta({ id: "OrderStatus" });
export const RefundStatusSchema = z.enum(["PROCESSING", "SUCCESS", "CLOSED", "ABNORMAL"]).meta({ id: "RefundStatus" });

// ───────────────────────────── schools and staff accounts ─────────────────────────────

export const SchoolSchema = z.object({ id: uuid(), code: z.string(), name: z.string() }).meta({ id: "School" });
export type School = z.infer<typeof SchoolSchema>;

export const SchoolCreateSchema = z
  .object({
    code: z.string().trim().regex(/^[0-9A-Za-z]{4,10}$/, "院校代码为4-10位字母或数字"),
    name: z.string().trim().min(2).max(100),
  })
  .meta({ id: "SchoolCreate" });

export const StaffAccountSchema = z
  .object({
    id: uuid(),
    username: z.string(),
    displayName: z.string(),
    role: StaffRoleSchema,
    schoolId: uuid().nullable(),
    schoolName: z.string().nullable(),
    disabled: z.boolean(),
    lockedUntil: isoDate().nullable(),
    lastLoginAt: isoDate().nullable(),
    createdAt: isoDate(),
  })
  .meta({ id: "StaffAccount" });
export type StaffAccount = z.infer<typeof StaffAccountSchema>;

const password = z.string().min(10, "密码至少10位").max(128);

export const StaffAccountCreateSchema = z
  .object({
    username: z.string().trim().regex(/^[A-Za-z0-9_.-]{3,32}$/, "用户名为3-32位字母、数字或 _ . -"),
    displayName: z.string().trim().min(1).max(40),
    role: StaffRoleSchema,
    schoolId: uuid().nullable().default(null),
    password,
  })
  .meta({ id: "StaffAccountCreate" });
export type StaffAccountCreate = z.input<typeof StaffAccountCreateSchema>;

export const StaffAccountUpdateSchema = z
  .object({
    displayName: z.string().trim().min(1).max(40).optional(),
    role: StaffRoleSchema.optional(),
    schoolId: uuid().nullable().optional(),
    disabled: z.boolean().optional(),
    password: password.optional(),
    unlock: z.literal(true).optional(),
  })
  .meta({ id: "StaffAccountUpdate" });
export type StaffAccountUpdate = z.input<typeof StaffAccountUpdateSchema>;

// ───────────────────────────── campaigns ─────────────────────────────

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/);

/** The parts of the photo spec a school sets (the rest keeps the defaults of packages/photo). */
export const CampaignPhotoSpecSchema = z
  .object({
    background: z.union([z.enum(["blue", "white", "grey"]), hexColour]).describe("blue | white | grey | #RRGGBB"),
    minKb: z.number().int().min(5).max(2000),
    maxKb: z.number().int().min(5).max(2000),
    album: z.object({
      minWidth: z.number().int().min(100).max(10000),
      maxWidth: z.number().int().min(100).max(10000),
      minHeight: z.number().int().min(100).max(10000),
      maxHeight: z.number().int().min(100).max(10000),
      minKb: z.number().int().min(1).max(50000),
      maxKb: z.number().int().min(1).max(50000),
    }),
  })
  .refine((s) => s.minKb <= s.maxKb, { message: "文件大小下限不能大于上限", path: ["maxKb"] })
  .refine((s) => s.album.minWidth <= s.album.maxWidth && s.album.minHeight <= s.album.maxHeight && s.album.minKb <= s.album.maxKb, {
    message: "相册照片限制的下限不能大于上限",
    path: ["album"],
  })
  .meta({ id: "CampaignPhotoSpec" });
export type CampaignPhotoSpec = z.infer<typeof CampaignPhotoSpecSchema>;

export const CampaignContactsSchema = z
  .object({
    customerServicePhone: z.string().trim().min(3).max(40),
    customerServiceHours: z.string().trim().min(2).max(100),
    registrarContact: z.string().trim().min(2).max(200).describe("学籍部门"),
    paymentContact: z.string().trim().min(2).max(200),
  })
  .meta({ id: "CampaignContacts" });

export const NotifyTemplatesSchema = z
  .object({ reviewPassed: z.string().trim().max(64).optional(), reviewRejected: z.string().trim().max(64).optional() })
  .meta({ id: "NotifyTemplates" });

/** Tokens allowed in the export file-name pattern. */
export const EXPORT_NAME_TOKENS = ["uniqueNumber", "name", "college", "major", "degreeLevel", "cohort"] as const;
export const ExportNamePatternSchema = z
  .string()
  .trim()
  .min(5)
  .max(120)
  .refine((p) => p.toLowerCase().endsWith(".jpg"), "文件名须以 .jpg 结尾")
  .refine((p) => p.includes("{uniqueNumber}"), "文件名须包含 {uniqueNumber}，以保证不重复")
  .refine((p) => [...p.matchAll(/\{(\w+)\}/g)].every((m) => (EXPORT_NAME_TOKENS as readonly string[]).includes(m[1]!)), "文件名中有不支持的占位符")
  .refine((p) => !/[\\/:*?"<>|]/.test(p.replace(/\{\w+\}/g, "")), "文件名不能包含 \\ / : * ? \" < > |");

const campaignFields = {
  name: z.string().trim().min(2).max(60),
  cohort: z.string().trim().min(2).max(20).describe("eligible cohort, e.g. 2026届"),
  status: CampaignStatusSchema,
  opensAt: isoDate(),
  closesAt: isoDate(),
  schoolPaid: z.boolean(),
  feeFen: z.number().int().min(0).max(100_000),
  reviewMode: ReviewModeSchema,
  freeRetakes: z.number().int().min(0).max(10),
  retakePolicy: RetakePolicySchema,
  repayAfterRefund: z.boolean().describe("after a full refund the graduate may pay again"),
  captureCodeProvider: z.enum(["demo", "http"]),
  faceProvider: z.enum(["local", "tencent"]).describe("face comparison: the local model, or Tencent Cloud CompareFace with the local model as fallback"),
  photoSpec: CampaignPhotoSpecSchema,
  contacts: CampaignContactsSchema,
  notifyTemplates: NotifyTemplatesSchema,
  exportNamePattern: ExportNamePatternSchema,
};

const windowOk = (c: { opensAt?: string; closesAt?: string }) => !c.opensAt || !c.closesAt || new Date(c.closesAt) > new Date(c.opensAt);

export const CampaignCreateSchema = z
  .object({
    ...campaignFields,
    status: CampaignStatusSchema.default("DRAFT"),
    freeRetakes: z.number().int().min(0).max(10).default(2),
    retakePolicy: RetakePolicySchema.default("CONTACT_SUPPORT"),
    repayAfterRefund: z.boolean().default(false),
    captureCodeProvider: z.enum(["demo", "http"]).default("demo"),
    faceProvider: z.enum(["local", "tencent"]).default("local"),
    notifyTemplates: NotifyTemplatesSchema.default({}),
    exportNamePattern: ExportNamePatternSchema.default("{uniqueNumber}.jpg"),
    schoolId: uuid().optional().describe("required for operators; others create in their own school"),
    consentText: z.string().trim().min(10).max(5000).describe("温馨提示, version 1"),
  })
  .refine(windowOk, { message: "结束时间须晚于开始时间", path: ["closesAt"] })
  .meta({ id: "CampaignCreate" });
export type CampaignCreate = z.input<typeof CampaignCreateSchema>;

export const CampaignUpdateSchema = z
  .object(campaignFields)
  .partial()
  .refine(windowOk, { message: "结束时间须晚于开始时间", path: ["closesAt"] })
  .meta({ id: "CampaignUpdate" });
export type CampaignUpdate = z.input<typeof CampaignUpdateSchema>;

export const ConsentVersionCreateSchema = z.object({ text: z.string().trim().min(10).max(5000) }).meta({ id: "ConsentVersionCreate" });

export const CampaignCountsSchema = z
  .object({
    roster: z.number().int(),
    admissionPhotos: z.number().int(),
    submissions: z.number().int(),
    reviewing: z.number().int(),
    approved: z.number().int(),
  })
  .meta({ id: "CampaignCounts" });

export const CampaignAdminSchema = z
  .object({
    id: uuid(),
    schoolId: uuid(),
    schoolName: z.string(),
    schoolCode: z.string(),
    ...campaignFields,
    consentVersion: z.number().int(),
    consentText: z.string(),
    consentVersions: z.array(z.object({ version: z.number().int(), createdAt: isoDate(), chars: z.number().int() })),
    counts: CampaignCountsSchema,
    createdAt: isoDate(),
    updatedAt: isoDate(),
  })
  .meta({ id: "CampaignAdmin" });
export type CampaignAdmin = z.infer<typeof CampaignAdminSchema>;

export const CampaignListItemSchema = z
  .object({
    id: uuid(),
    schoolId: uuid(),
    schoolName: z.string(),
    name: z.string(),
    cohort: z.string(),
    status: CampaignStatusSchema,
    opensAt: isoDate(),
    closesAt: isoDate(),
    schoolPaid: z.boolean(),
    feeFen: z.number().int(),
    reviewMode: ReviewModeSchema,
    consentVersion: z.number().int(),
    counts: CampaignCountsSchema,
  })
  .meta({ id: "CampaignListItem" });
export type CampaignListItem = z.infer<typeof CampaignListItemSchema>;
export const CampaignListSchema = z.object({ items: z.array(CampaignListItemSchema) }).meta({ id: "CampaignList" });

// ───────────────────────────── roster and admission photos ─────────────────────────────

export const ROSTER_FIELDS = ["uniqueNumber", "name", "idNumber", "phone", "college", "major", "degreeLevel"] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];
/** Header of each column in the import template (the first listed is what the template uses). */
export const ROSTER_HEADERS: Record<RosterField, readonly string[]> = {
  uniqueNumber: ["学信网唯一编号", "唯一编号", "学籍唯一编号", "uniqueNumber"],
  name: ["姓名", "name"],
  idNumber: ["身份证号", "身份证号码", "证件号码", "idNumber"],
  phone: ["手机号", "手机号码", "联系电话", "phone"],
  college: ["学院", "院系", "college"],
  major: ["专业", "major"],
  degreeLevel: ["学历层次", "层次", "degreeLevel"],
};
export const ROSTER_REQUIRED: readonly RosterField[] = ["uniqueNumber", "name", "idNumber", "college", "major", "degreeLevel"];

/** A graduate's roster data as staff see it (ID number masked): in the import preview and in the roster. */
const rosterPersonFields = {
  uniqueNumber: z.string(),
  name: z.string(),
  idNumberMasked: z.string(),
  phone: z.string().nullable(),
  college: z.string(),
  major: z.string(),
  degreeLevel: z.string(),
};

export const RosterRowSchema = z
  .object({
    row: z.number().int().describe("row number in the sheet (header is row 1)"),
    ...rosterPersonFields,
    action: z.enum(["NEW", "UPDATE", "UNCHANGED", "INVALID"]),
    errors: z.array(z.string()),
  })
  .meta({ id: "RosterRow" });

export const RosterIssueSchema = z
  .object({ row: z.number().int(), uniqueNumber: z.string().nullable(), field: z.string(), message: z.string() })
  .meta({ id: "RosterIssue" });

export const RosterReportSchema = z
  .object({
    kind: z.literal("ROSTER"),
    fileName: z.string(),
    columns: z.array(z.object({ field: z.string(), header: z.string() })),
    missingColumns: z.array(z.string()),
    totalRows: z.number().int(),
    validRows: z.number().int(),
    invalidRows: z.number().int(),
    newRows: z.number().int(),
    updatedRows: z.number().int(),
    unchangedRows: z.number().int(),
    preview: z.array(RosterRowSchema),
    issues: z.array(RosterIssueSchema).describe("at most 2000; issueCount has the total"),
    issueCount: z.number().int(),
    applied: z.object({ inserted: z.number().int(), updated: z.number().int(), skipped: z.number().int(), ms: z.number().int() }).nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "RosterReport" });
export type RosterReport = z.infer<typeof RosterReportSchema>;

export const AdmissionItemSchema = z
  .object({ file: z.string(), uniqueNumber: z.string().nullable(), ok: z.boolean(), code: z.string(), message: z.string() })
  .meta({ id: "AdmissionItem" });

export const AdmissionReportSchema = z
  .object({
    kind: z.literal("ADMISSION_PHOTOS"),
    fileName: z.string(),
    totalFiles: z.number().int(),
    ok: z.number().int(),
    failed: z.number().int(),
    items: z.array(AdmissionItemSchema).describe("failures first; at most 5000"),
    error: z.string().nullable(),
  })
  .meta({ id: "AdmissionReport" });
export type AdmissionReport = z.infer<typeof AdmissionReportSchema>;

export const ImportJobSchema = z
  .object({
    id: uuid(),
    campaignId: uuid(),
    kind: z.enum(["ROSTER", "ADMISSION_PHOTOS"]),
    status: TaskStatusSchema.describe("ROSTER: QUEUED = validated, waiting for confirmation"),
    total: z.number().int(),
    done: z.number().int(),
    requestedBy: z.string(),
    createdAt: isoDate(),
    updatedAt: isoDate(),
    report: z.union([RosterReportSchema, AdmissionReportSchema]).nullable(),
  })
  .meta({ id: "ImportJob" });
export type ImportJob = z.infer<typeof ImportJobSchema>;
export const ImportJobListSchema = z.object({ items: z.array(ImportJobSchema) }).meta({ id: "ImportJobList" });

export const RosterQuerySchema = z.object({
  q: z.string().trim().max(64).optional(),
  college: z.string().trim().max(64).optional(),
  admission: AdmissionPhotoStatusSchema.optional(),
  page,
  pageSize: pageSize(200, 20),
});

/** A roster entry as staff see it (masked ID number, signed admission-photo link). */
const rosterEntryFields = {
  id: uuid(),
  ...rosterPersonFields,
  admissionPhotoStatus: AdmissionPhotoStatusSchema,
  admissionUrl: z.string().url().nullable(),
};

export const RosterEntryAdminSchema = z
  .object({
    ...rosterEntryFields,
    submissionId: uuid().nullable(),
    state: SubmissionStateSchema.nullable(),
    stateLabel: z.string().nullable(),
    updatedAt: isoDate(),
  })
  .meta({ id: "RosterEntryAdmin" });
export const RosterPageSchema = pagedSchema(RosterEntryAdminSchema).extend({ colleges: z.array(z.string()) }).meta({ id: "RosterPage" });

export const DemoCodesRequestSchema = z.object({ entryIds: z.array(uuid()).min(1).max(60) }).meta({ id: "DemoCodesRequest" });
export const DemoCodeSheetSchema = z
  .object({
    campaignName: z.string(),
    schoolName: z.string(),
    items: z.array(
      z.object({
        entryId: uuid(),
        uniqueNumber: z.string(),
        name: z.string(),
        college: z.string(),
        major: z.string(),
        png: z.string().describe("data:image/png;base64,…"),
        text: z.string().describe("the demo 采集码 text"),
      }),
    ),
  })
  .meta({ id: "DemoCodeSheet" });
export type DemoCodeSheet = z.infer<typeof DemoCodeSheetSchema>;

// ───────────────────────────── dashboard ─────────────────────────────

export const StuckItemSchema = z
  .object({
    submissionId: uuid(),
    name: z.string().nullable(),
    uniqueNumber: z.string().nullable(),
    college: z.string().nullable(),
    phone: z.string().nullable(),
    state: SubmissionStateSchema,
    stateLabel: z.string(),
    since: isoDate(),
  })
  .meta({ id: "StuckItem" });

export const DashboardSchema = z
  .object({
    campaignId: uuid(),
    generatedAt: isoDate(),
    totals: z.object({
      roster: z.number().int(),
      admissionPresent: z.number().int(),
      admissionMissing: z.number().int(),
      admissionDisputed: z.number().int(),
      submissions: z.number().int(),
      reviewing: z.number().int(),
      approved: z.number().int(),
      rejected: z.number().int(),
    }),
    funnel: z.array(z.object({ step: z.string(), label: z.string(), count: z.number().int() })),
    byCollege: z.array(z.object({ college: z.string(), major: z.string(), roster: z.number().int(), started: z.number().int(), submitted: z.number().int(), approved: z.number().int() })),
    perDay: z.array(z.object({ day: z.string(), submitted: z.number().int(), approved: z.number().int() })),
    scores: z.object({
      buckets: z.array(z.object({ from: z.number(), to: z.number(), passed: z.number().int(), failed: z.number().int() })),
      threshold: z.number().nullable(),
      total: z.number().int(),
    }),
    stuck: z.object({
      manualPass: z.array(StuckItemSchema),
      disputed: z.array(StuckItemSchema),
      paymentPending: z.array(StuckItemSchema),
      counts: z.object({ manualPass: z.number().int(), disputed: z.number().int(), paymentPending: z.number().int() }),
    }),
  })
  .meta({ id: "Dashboard" });
export type Dashboard = z.infer<typeof DashboardSchema>;

// ───────────────────────────── review ─────────────────────────────

export const RejectionReasonSchema = z
  .object({ id: uuid(), schoolId: uuid(), text: z.string(), active: z.boolean(), sortOrder: z.number().int() })
  .meta({ id: "RejectionReason" });
export type RejectionReason = z.infer<typeof RejectionReasonSchema>;
export const RejectionReasonListSchema = z.object({ items: z.array(RejectionReasonSchema) }).meta({ id: "RejectionReasonList" });
export const RejectionReasonCreateSchema = z
  .object({ schoolId: uuid().optional(), text: z.string().trim().min(2).max(200), sortOrder: z.number().int().min(0).max(1000).optional() })
  .meta({ id: "RejectionReasonCreate" });
export const RejectionReasonUpdateSchema = z
  .object({ text: z.string().trim().min(2).max(200).optional(), active: z.boolean().optional(), sortOrder: z.number().int().min(0).max(1000).optional() })
  .meta({ id: "RejectionReasonUpdate" });

export const ReviewStatsSchema = z
  .object({ waiting: z.number().int(), claimedByOthers: z.number().int(), decidedToday: z.number().int(), myDecisionsToday: z.number().int() })
  .meta({ id: "ReviewStats" });

// ───────────────────────────── customer service ─────────────────────────────

export const GraduateSearchQuerySchema = z.object({
  q: z.string().trim().min(1).max(64).describe("name, unique number, phone or order number"),
  campaignId: uuid().optional(),
});

/** Who a graduate is, as customer service's lists show them. */
const GraduateIdentityFields = {
  campaignId: uuid(),
  campaignName: z.string(),
  name: z.string().nullable(),
  uniqueNumber: z.string().nullable(),
  college: z.string().nullable(),
  major: z.string().nullable(),
  phone: z.string().nullable(),
};

export const GraduateHitSchema = z
  .object({
    rosterEntryId: uuid().nullable(),
    submissionId: uuid().nullable(),
    ...GraduateIdentityFields,
    state: SubmissionStateSchema.nullable(),
    stateLabel: z.string().nullable(),
    admissionPhotoStatus: AdmissionPhotoStatusSchema.nullable(),
    matchedBy: z.enum(["name", "uniqueNumber", "phone", "order"]),
  })
  .meta({ id: "GraduateHit" });
export const GraduateSearchResultSchema = z.object({ items: z.array(GraduateHitSchema), truncated: z.boolean() }).meta({ id: "GraduateSearchResult" });

/** One graduate waiting for customer service (the work list). */
export const ServiceWorkItemSchema = z
  .object({
    submissionId: uuid(),
    ...GraduateIdentityFields,
    state: SubmissionStateSchema,
    stateLabel: z.string(),
    since: isoDate().describe("when the graduate entered this state"),
    detail: z.string().nullable().describe("the graduate's dispute note, or how many qualifying comparisons failed"),
  })
  .meta({ id: "ServiceWorkItem" });

export const ServiceRefundItemSchema = z
  .object({
    refundId: uuid(),
    orderId: uuid(),
    submissionId: uuid(),
    campaignName: z.string(),
    name: z.string().nullable(),
    uniqueNumber: z.string().nullable(),
    outTradeNo: z.string(),
    amountFen: z.number().int(),
    status: RefundStatusSchema,
    reason: z.string(),
    staffName: z.string().nullable(),
    createdAt: isoDate(),
  })
  .meta({ id: "ServiceRefundItem" });

/** The customer-service landing page: what waits for them, oldest first, with full counts. */
export const ServiceWorklistSchema = z
  .object({
    generatedAt: isoDate(),
    counts: z.object({ manualPass: z.number().int(), disputed: z.number().int(), refunds: z.number().int() }),
    manualPass: z.array(ServiceWorkItemSchema),
    disputed: z.array(ServiceWorkItemSchema),
    refunds: z.array(ServiceRefundItemSchema).describe("refunds still processing or abnormal"),
  })
  .meta({ id: "ServiceWorklist" });
export type ServiceWorklist = z.infer<typeof ServiceWorklistSchema>;
export const ServiceWorklistQuerySchema = z.object({ campaignId: uuid().optional() });

export const NotificationStatusSchema = z.enum(["PENDING", "SENT", "FAILED", "SKIPPED", "MAYBE_SENT"]).meta({ id: "NotificationStatus" });

export const RefundAdminSchema = z
  .object({ id: uuid(), outRefundNo: z.string(), amountFen: z.number().int(), status: RefundStatusSchema, reason: z.string(), staffName: z.string().nullable(), createdAt: isoDate(), succeededAt: isoDate().nullable() })
  .meta({ id: "RefundAdmin" });

export const ReconciliationSchema = z.enum(["MATCHED", "AWAITING_PAYMENT", "NEEDS_QUERY", "MISMATCH", "REFUNDING", "REFUND_ABNORMAL", "CLOSED", "UNEXPECTED_PAYMENT"]).meta({ id: "Reconciliation" });
export const RECONCILIATION_LABELS: Record<z.infer<typeof ReconciliationSchema>, string> = {
  MATCHED: "已对账",
  AWAITING_PAYMENT: "待支付",
  NEEDS_QUERY: "待查单（未收到支付通知）",
  MISMATCH: "金额或记录不符",
  REFUNDING: "退款处理中",
  REFUND_ABNORMAL: "退款异常",
  CLOSED: "已关闭",
  UNEXPECTED_PAYMENT: "重复或异常支付（未入账，请核对并退款）",
};

export const OrderAdminSchema = z
  .object({
    id: uuid(),
    outTradeNo: z.string(),
    description: z.string(),
    amountFen: z.number().int(),
    status: OrderStatusSchema,
    createdAt: isoDate(),
    expiresAt: isoDate(),
    paidAt: isoDate().nullable(),
    lastQueriedAt: isoDate().nullable(),
    submissionId: uuid(),
    campaignId: uuid(),
    campaignName: z.string(),
    graduate: z.object({ name: z.string(), uniqueNumber: z.string(), college: z.string() }).nullable(),
    paidFen: z.number().int(),
    refundedFen: z.number().int(),
    refundableFen: z.number().int(),
    payments: z.array(
      z.object({
        transactionId: z.string(),
        amountFen: z.number().int(),
        tradeState: z.string(),
        successTime: isoDate(),
        /** null: credited to the order; else why not (ORDER_PAID, ORDER_REFUNDED, ORDER_CLOSED, …, SUBMISSION_ALREADY_PAID) */
        anomaly: z.string().nullable(),
        /** when staff marked the anomaly handled */
        anomalyResolvedAt: isoDate().nullable(),
        anomalyNote: z.string().nullable(),
      }),
    ),
    refunds: z.array(RefundAdminSchema),
    reconciliation: ReconciliationSchema,
    reconciliationLabel: z.string(),
  })
  .meta({ id: "OrderAdmin" });
export type OrderAdmin = z.infer<typeof OrderAdminSchema>;

export const ResolvePaymentAnomalySchema = z.object({ note: z.string().trim().min(2).max(200) }).meta({ id: "ResolvePaymentAnomaly" });

export const OrderQuerySchema = z.object({
  campaignId: uuid().optional(),
  status: OrderStatusSchema.optional(),
  reconciliation: ReconciliationSchema.optional(),
  q: z.string().trim().max(64).optional(),
  from: isoDate().optional(),
  to: isoDate().optional(),
  page,
  pageSize: pageSize(200, 20),
});
export const OrderPageSchema = pagedSchema(OrderAdminSchema)
  .extend({ summary: z.object({ orders: z.number().int(), paidFen: z.number().int(), refundedFen: z.number().int(), needsAttention: z.number().int() }) })
  .meta({ id: "OrderPage" });

/** What is wrong with an admission photo, as the face comparison measures it (packages/face ReferenceQualityReason). */
export const ReferenceIssueSchema = z.enum(["SMALL_FACE", "GRAYSCALE", "BLURRY", "HEAVY_COMPRESSION"]);
export type ReferenceIssue = z.infer<typeof ReferenceIssueSchema>;

export const GraduateHistorySchema = z
  .object({
    submission: SubmissionViewSchema,
    campaign: z.object({ id: uuid(), name: z.string(), schoolId: uuid(), schoolName: z.string() }),
    wechatUser: z.object({ id: uuid(), nickname: z.string().nullable(), openidMasked: z.string(), createdAt: isoDate() }),
    rosterEntry: z
      .object({
        ...rosterEntryFields,
        disputeNote: z.string().nullable(),
        disputedAt: isoDate().nullable(),
      })
      .nullable(),
    captureCodes: z.array(z.object({ id: uuid(), uniqueNumber: z.string(), provider: z.string(), status: z.enum(["BOUND", "REVOKED"]), maskedName: z.string().nullable(), boundAt: isoDate(), revokedAt: isoDate().nullable() })),
    photos: z.array(
      z.object({
        id: uuid(),
        source: z.enum(["CAMERA", "ALBUM"]),
        createdAt: isoDate(),
        compliant: z.boolean().nullable(),
        checks: z.array(PhotoCheckSchema),
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
        originalUrl: z.string().url(),
        standardizedUrl: z.string().url().nullable(),
        printUrl: z.string().url().nullable(),
        standardisations: z.number().int(),
        current: z.boolean(),
        submitted: z.boolean(),
      }),
    ),
    standardisations: z.array(z.object({ id: uuid(), photoId: uuid(), createdAt: isoDate() })),
    comparisons: z.array(
      z.object({
        id: uuid(),
        photoId: uuid(),
        score: z.number().nullable(),
        threshold: z.number(),
        passed: z.boolean(),
        qualifying: z.boolean(),
        errorCode: z.string().nullable(),
        modelId: z.string(),
        provider: z.enum(["local", "tencent"]).describe("who scored: the local model or Tencent Cloud CompareFace"),
        fallbackReason: z.string().nullable().describe("set when the campaign's cloud provider failed and the local model answered (Tencent's code, ClientTimeout, CIRCUIT_OPEN, TENCENT_NOT_CONFIGURED)"),
        referralReason: z.string().nullable().describe("set when the comparison went to the school's review instead of counting as a failure, e.g. LOW_QUALITY_REFERENCE"),
        referenceIssues: z.array(ReferenceIssueSchema).describe("the admission photo's measured quality problems"),
        referenceIssuesText: z.string().nullable().describe("the same in Chinese, as the graduate and the reviewer are told it, e.g. 黑白照片、压缩严重"),
        createdAt: isoDate(),
      }),
    ),
    reviews: z.array(z.object({ id: uuid(), decision: z.enum(["APPROVED", "REJECTED"]), reason: z.string().nullable(), automatic: z.boolean(), reviewer: z.string().nullable(), createdAt: isoDate() })),
    overrides: z.array(z.object({ id: uuid(), staff: z.string(), reason: z.string(), createdAt: isoDate() })),
    orders: z.array(OrderAdminSchema),
    notifications: z.array(z.object({ id: uuid(), kind: z.string(), status: NotificationStatusSchema, templateId: z.string().nullable(), result: z.string().nullable(), reason: z.string().nullable(), lastError: z.string().nullable(), attempts: z.number().int(), createdAt: isoDate(), sentAt: isoDate().nullable() })),
    transitions: z.array(z.object({ event: z.string(), from: SubmissionStateSchema, to: SubmissionStateSchema, actorType: z.enum(["STAFF", "GRADUATE", "SYSTEM"]), actor: z.string().nullable(), createdAt: isoDate() })),
  })
  .meta({ id: "GraduateHistory" });
export type GraduateHistory = z.infer<typeof GraduateHistorySchema>;

// ───────────────────────────── notifications needing staff ─────────────────────────────

/** A 订阅消息 that did not (certainly) reach the graduate: FAILED, or MAYBE_SENT (outcome unknown after a crash). */
export const NotificationAdminSchema = z
  .object({
    id: uuid(),
    kind: z.string(),
    status: NotificationStatusSchema,
    result: z.string().nullable(),
    lastError: z.string().nullable(),
    attempts: z.number().int(),
    resends: z.number().int(),
    /** FAILED only because WeChat was unavailable: resent automatically once it answers (while subscribed) */
    autoResend: z.boolean(),
    createdAt: isoDate(),
    submissionId: uuid().nullable(),
    campaignName: z.string().nullable(),
    graduate: z.object({ name: z.string(), uniqueNumber: z.string() }).nullable(),
  })
  .meta({ id: "NotificationAdmin" });
export const NotificationQuerySchema = z.object({
  campaignId: uuid().optional(),
  status: z.enum(["FAILED", "MAYBE_SENT"]).optional(),
  page,
  pageSize: pageSize(200, 20),
});
export const NotificationPageSchema = pagedSchema(NotificationAdminSchema).meta({ id: "NotificationPage" });
export const NotificationResendSchema = z.object({ id: uuid(), status: NotificationStatusSchema }).meta({ id: "NotificationResend" });

// ───────────────────────────── personal-data retention ─────────────────────────────

/** What the retention purge deletes for one campaign (a dry run, or what it did). */
export const RetentionReportSchema = z
  .object({
    campaignId: uuid(),
    campaignName: z.string(),
    retentionDays: z.number().int(),
    closesAt: isoDate(),
    dueAt: isoDate(),
    due: z.boolean(),
    purgedAt: isoDate().nullable(),
    photoRowsDeleted: z.number().int(),
    objectsDeleted: z.number().int(),
    registeredPhotosKept: z.number().int(),
    rosterEntriesCleared: z.number().int(),
    captureCodesCleared: z.number().int(),
    exportsDeleted: z.number().int(),
    importFilesDeleted: z.number().int(),
  })
  .meta({ id: "RetentionReport" });
export type RetentionReport = z.infer<typeof RetentionReportSchema>;
export const SchoolRetentionSchema = z.object({ retentionDays: z.number().int().min(30).max(3650) }).meta({ id: "SchoolRetention" });

export const UnbindCodeRequestSchema = z.object({ reason: z.string().trim().min(4).max(500) }).meta({ id: "UnbindCodeRequest" });

// ───────────────────────────── export ─────────────────────────────

export const ExportJobSchema = z
  .object({
    id: uuid(),
    campaignId: uuid(),
    status: TaskStatusSchema,
    total: z.number().int(),
    done: z.number().int(),
    error: z.string().nullable(),
    requestedBy: z.string(),
    createdAt: isoDate(),
    updatedAt: isoDate(),
    expiresAt: isoDate().nullable().describe("the archive is deleted after this time"),
    fileName: z.string(),
  })
  .meta({ id: "ExportJob" });
export type ExportJob = z.infer<typeof ExportJobSchema>;
export const ExportJobListSchema = z.object({ items: z.array(ExportJobSchema), approved: z.number().int() }).meta({ id: "ExportJobList" });
export const ExportLinkSchema = z.object({ url: z.string().url(), expiresAt: isoDate() }).meta({ id: "ExportLink" });

// ───────────────────────────── audit ─────────────────────────────

export const AuditQuerySchema = z.object({
  schoolId: uuid().optional(),
  action: z.string().trim().max(64).optional(),
  actorId: z.string().trim().max(64).optional(),
  actorType: z.enum(["STAFF", "GRADUATE", "SYSTEM"]).optional(),
  targetType: z.string().trim().max(64).optional(),
  targetId: z.string().trim().max(64).optional(),
  from: isoDate().optional(),
  to: isoDate().optional(),
  page,
  pageSize: pageSize(200, 50),
});

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    createdAt: isoDate(),
    actorType: z.enum(["STAFF", "GRADUATE", "SYSTEM"]),
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    schoolId: uuid().nullable(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    targetName: z.string().nullable().describe("the graduate (name + unique number), staff account or campaign the entry is about"),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
    ip: z.string().nullable(),
  })
  .meta({ id: "AuditEntry" });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditPageSchema = pagedSchema(AuditEntrySchema).extend({ actions: z.array(z.string()), staff: z.array(z.object({ id: uuid(), name: z.string() })) }).meta({ id: "AuditPage" });

// ───────────────────────────── review claim (re-exported for the client) ─────────────────────────────

export const ReviewItemSchema = z
  .object({
    submission: SubmissionViewSchema,
    standardizedUrl: z.string().url(),
    admissionUrl: z.string().url().nullable(),
    score: z.number().nullable(),
    /** why a comparison under 80 was sent to review (e.g. the admission photo's quality), in Chinese */
    referralNote: z.string().nullable().optional(),
    checks: z.array(z.object({ id: z.string(), passed: z.boolean(), message: z.string() })),
    marks: z.array(PhotoMarkSchema).describe("spots failed checks found (e.g. a suspected earring), on the standardised photo"),
    claimedUntil: z.string().datetime(),
    manualPass: z
      .object({
        staff: z.string().describe("who passed it (display name and account)"),
        reason: z.string(),
        at: z.string().datetime(),
        photos: z.array(z.object({ url: z.string().url(), score: z.number().nullable(), at: z.string().datetime() })).describe("the qualifying photos whose comparisons failed"),
      })
      .nullable()
      .describe("customer service passed the face comparison by hand: the score no longer decides"),
  })
  .meta({ id: "ReviewItem" });
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export const ReviewDecisionSchema = z
  .discriminatedUnion("decision", [z.object({ decision: z.literal("APPROVED") }), z.object({ decision: z.literal("REJECTED"), reason: z.string().trim().min(2).max(200) })])
  .meta({ id: "ReviewDecision" });
export type ReviewDecision = z.infer<typeof ReviewDecisionSchema>;
