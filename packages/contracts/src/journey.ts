import { z } from "zod";
import { SUBMISSION_STATES } from "@gradphoto/domain";

/** The state machine's states (the domain package owns the list). */
export const SubmissionStateSchema = z.enum(SUBMISSION_STATES).meta({ id: "SubmissionState" });

export const WxLoginRequestSchema = z
  .object({
    code: z.string().min(1).max(128).describe("code from wx.login"),
    nickname: z.string().max(64).optional().describe("only when the user granted it"),
    avatarUrl: z.string().url().max(512).optional(),
  })
  .meta({ id: "WxLoginRequest" });

export const WxLoginResponseSchema = z
  .object({ token: z.string(), expiresAt: z.string().datetime(), user: z.object({ id: z.string().uuid(), nickname: z.string().nullable() }) })
  .meta({ id: "WxLoginResponse" });

export const ContactsSchema = z
  .object({
    customerServicePhone: z.string(),
    customerServiceHours: z.string(),
    registrarContact: z.string().describe("学籍部门"),
    paymentContact: z.string(),
  })
  .meta({ id: "Contacts" });

export const CampaignPublicSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    schoolName: z.string(),
    cohort: z.string(),
    opensAt: z.string().datetime(),
    closesAt: z.string().datetime(),
    open: z.boolean(),
    feeFen: z.number().int(),
    schoolPaid: z.boolean(),
    consentVersion: z.number().int(),
    contacts: ContactsSchema,
    notifyTemplates: z.object({ reviewPassed: z.string().optional(), reviewRejected: z.string().optional() }),
  })
  .meta({ id: "CampaignPublic" });

export const ConsentTextSchema = z.object({ version: z.number().int(), text: z.string() }).meta({ id: "ConsentText" });

export const AcceptConsentRequestSchema = z
  .object({
    version: z.number().int().min(1),
    clientInfo: z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])).default({}),
  })
  .meta({ id: "AcceptConsentRequest" });

export const QuotaSchema = z
  .object({
    usedToday: z.number().int(),
    remainingToday: z.number().int(),
    nextAllowedAt: z.string().datetime().nullable().describe("when standardisation is possible again, if not now"),
  })
  .meta({ id: "StandardisationQuota" });

export const SubmissionViewSchema = z
  .object({
    id: z.string().uuid(),
    campaignId: z.string().uuid(),
    state: SubmissionStateSchema,
    stateLabel: z.string(),
    consentVersion: z.number().int().nullable(),
    consentCurrent: z.boolean().describe("false when the campaign published a new 温馨提示 version"),
    paymentExempt: z.boolean(),
    freeRetakesLeft: z.number().int(),
    qualifyingFailures: z.number().int(),
    quota: QuotaSchema,
    rosterEntry: z
      .object({ uniqueNumber: z.string(), name: z.string(), idNumberMasked: z.string(), college: z.string(), major: z.string(), degreeLevel: z.string() })
      .nullable(),
    currentPhotoId: z.string().uuid().nullable(),
    submittedPhotoId: z.string().uuid().nullable(),
    lastComparison: z
      .object({
        score: z.number().nullable(),
        passed: z.boolean(),
        /** under 80 against a low-quality admission photo: sent to the school's review, not counted as a failure */
        referred: z.boolean().optional(),
        createdAt: z.string().datetime(),
      })
      .nullable(),
    lastReview: z.object({ decision: z.enum(["APPROVED", "REJECTED"]), reason: z.string().nullable(), createdAt: z.string().datetime() }).nullable(),
    manualPass: z
      .object({ reason: z.string(), at: z.string().datetime() })
      .nullable()
      .describe("customer service passed the face comparison by hand (the score no longer decides)"),
    payment: z
      .object({
        status: z.enum(["PAID", "REFUNDING", "PARTIALLY_REFUNDED", "REFUNDED"]),
        amountFen: z.number().int(),
        paidAt: z.string().datetime().nullable(),
        refund: z
          .object({
            status: z.enum(["PROCESSING", "SUCCESS", "CLOSED", "ABNORMAL"]),
            amountFen: z.number().int(),
            reason: z.string(),
            requestedAt: z.string().datetime(),
            refundedAt: z.string().datetime().nullable(),
          })
          .nullable()
          .describe("the latest refund of that payment"),
      })
      .nullable()
      .describe("the graduate's latest paid order"),
    reviewNotice: z.boolean().describe("the graduate accepted a 审核结果 订阅消息 that is not used yet: the result will come as a WeChat notice"),
    canPay: z.boolean().describe("the fee can be paid now (after a full refund only when the school allows paying again)"),
    allowedEvents: z.array(z.string()),
    contacts: ContactsSchema,
  })
  .meta({ id: "Submission" });
export type SubmissionView = z.infer<typeof SubmissionViewSchema>;

export const OkSchema = z.object({ ok: z.literal(true) }).meta({ id: "Ok" });

/** POST /api/subscriptions: which one-time 订阅消息 templates wx.requestSubscribeMessage accepted. */
export const SubscriptionGrantsSchema = z
  .object({ accepted: z.array(z.string().min(1).max(128)).max(3), rejected: z.array(z.string().max(128)).max(3).default([]) })
  .meta({ id: "SubscriptionGrants" });
export type SubscriptionGrants = z.input<typeof SubscriptionGrantsSchema>;
