import { RULES } from "./rules.js";
import { STATE_LABELS, type SubmissionState } from "./states.js";

/** Everything a guard may look at; the API loads it from the database before a transition. */
export interface SubmissionContext {
  state: SubmissionState;
  freeRetakesLeft: number;
  qualifyingFailures: number;
  /** campaign is school-paid: no payment step */
  schoolPaid: boolean;
  /** campaign review mode */
  reviewMode: "MANUAL" | "AUTOMATIC";
  /** what happens after the free retakes are used */
  retakePolicy: "PAY_AGAIN" | "CONTACT_SUPPORT";
  /** roster admission photo present and not disputed */
  admissionPhotoUsable: boolean;
}

export type SubmissionEvent =
  | { type: "CONSENT_ACCEPTED" }
  | { type: "CODE_BOUND" }
  | { type: "CODE_UNBOUND" }
  | { type: "PAYMENT_CONFIRMED" }
  | { type: "PAYMENT_EXEMPTED" }
  | { type: "PAYMENT_REFUNDED" }
  | { type: "PHOTO_ACCEPTED" }
  | { type: "STANDARDIZED" }
  | { type: "SUBMITTED" }
  | { type: "ADMISSION_CONFIRMED" }
  | { type: "ADMISSION_DISPUTED" }
  | { type: "DISPUTE_RESOLVED" }
  | { type: "COMPARISON_PASSED"; automaticApproval: boolean }
  | { type: "COMPARISON_FAILED"; qualifying: boolean }
  /** under 80 against a low-quality admission photo: the school reviews it; not the graduate's failure */
  | { type: "COMPARISON_REFERRED" }
  | { type: "MANUAL_PASS" }
  | { type: "REVIEW_APPROVED" }
  | { type: "REVIEW_REJECTED" }
  | { type: "RETAKE_STARTED"; paid?: boolean };

export type EventType = SubmissionEvent["type"];

/** Effects the caller must persist together with the new state (same transaction). */
export interface TransitionEffects {
  qualifyingFailures?: number;
  freeRetakesLeft?: number;
  /** the retake needs a new payment (retake policy PAY_AGAIN and no free retakes left) */
  requiresPayment?: boolean;
}

export type TransitionResult =
  | { ok: true; from: SubmissionState; to: SubmissionState; effects: TransitionEffects }
  | { ok: false; code: TransitionErrorCode; message: string };

export type TransitionErrorCode =
  | "ILLEGAL_TRANSITION"
  | "ADMISSION_PHOTO_UNUSABLE"
  | "MANUAL_PASS_NOT_ALLOWED"
  | "NO_FREE_RETAKES"
  | "PAYMENT_REQUIRED";

/** States from which the graduate may (re)take a photo: the photo steps loop freely until submission. */
const PHOTO_STEP_STATES: readonly SubmissionState[] = ["PAID", "PHOTO_CHECKED", "STANDARDIZED", "COMPARE_BLOCKED"];

/** Shown to graduates and staff: the step they are at, in words (state and event go to `details`). */
const ILLEGAL = (s: SubmissionState, _e: EventType): TransitionResult => ({
  ok: false,
  code: "ILLEGAL_TRANSITION",
  message: `当前进度为“${STATE_LABELS[s]}”，不能进行该操作，请刷新页面查看最新进度`,
});

/**
 * The only place that decides a submission's next state. Pure: no I/O, no clock.
 * Illegal transitions come back as `{ ok: false, code }` (the API answers 409 with the code).
 */
export function transition(ctx: SubmissionContext, event: SubmissionEvent): TransitionResult {
  const s = ctx.state;
  const go = (to: SubmissionState, effects: TransitionEffects = {}): TransitionResult => ({ ok: true, from: s, to, effects });
  switch (event.type) {
    case "CONSENT_ACCEPTED":
      // Re-accepting a new consent version keeps the graduate where they are.
      return s === "NEW" ? go("CONSENTED") : go(s);
    case "CODE_BOUND":
      return s === "CONSENTED" ? go("CODE_BOUND") : ILLEGAL(s, event.type);
    case "CODE_UNBOUND":
      // Customer service rebinding: only before anything was submitted.
      return ["CODE_BOUND", "PAID", "PHOTO_CHECKED", "STANDARDIZED"].includes(s) ? go("CONSENTED") : ILLEGAL(s, event.type);
    case "PAYMENT_CONFIRMED":
      if (s === "CODE_BOUND") return go("PAID");
      // A retake that had to be paid for: payment reopens the photo step.
      if (s === "REJECTED") return go("PAID");
      return ILLEGAL(s, event.type);
    case "PAYMENT_EXEMPTED":
      return s === "CODE_BOUND" && ctx.schoolPaid ? go("PAID") : ILLEGAL(s, event.type);
    case "PAYMENT_REFUNDED":
      // A full refund before submission sends the graduate back to the payment step.
      return PHOTO_STEP_STATES.includes(s) && s !== "COMPARE_BLOCKED" ? go("CODE_BOUND") : go(s);
    case "PHOTO_ACCEPTED":
      return PHOTO_STEP_STATES.includes(s) ? go("PHOTO_CHECKED") : ILLEGAL(s, event.type);
    case "STANDARDIZED":
      return s === "PHOTO_CHECKED" || s === "STANDARDIZED" ? go("STANDARDIZED") : ILLEGAL(s, event.type);
    case "SUBMITTED":
      return s === "STANDARDIZED" ? go("SUBMITTED") : ILLEGAL(s, event.type);
    case "ADMISSION_CONFIRMED":
      if (s !== "SUBMITTED") return ILLEGAL(s, event.type);
      if (!ctx.admissionPhotoUsable) return { ok: false, code: "ADMISSION_PHOTO_UNUSABLE", message: "录取照片缺失或有误，请联系学籍部门" };
      return go("ADMISSION_CONFIRMED");
    case "ADMISSION_DISPUTED":
      return s === "SUBMITTED" || s === "ADMISSION_CONFIRMED" || s === "COMPARE_BLOCKED" ? go("ADMISSION_DISPUTED") : ILLEGAL(s, event.type);
    case "DISPUTE_RESOLVED":
      return s === "ADMISSION_DISPUTED" ? go("SUBMITTED") : ILLEGAL(s, event.type);
    case "COMPARISON_PASSED":
      if (s !== "ADMISSION_CONFIRMED") return ILLEGAL(s, event.type);
      return ctx.reviewMode === "AUTOMATIC" && event.automaticApproval ? go("APPROVED") : go("REVIEWING");
    case "COMPARISON_FAILED": {
      if (s !== "ADMISSION_CONFIRMED") return ILLEGAL(s, event.type);
      const failures = ctx.qualifyingFailures + (event.qualifying ? 1 : 0);
      const to = failures >= RULES.qualifyingFailuresForManualPass ? "NEEDS_MANUAL_PASS" : "COMPARE_BLOCKED";
      return go(to, { qualifyingFailures: failures });
    }
    case "COMPARISON_REFERRED":
      return s === "ADMISSION_CONFIRMED" ? go("REVIEWING") : ILLEGAL(s, event.type);
    case "MANUAL_PASS":
      if (s !== "NEEDS_MANUAL_PASS" || ctx.qualifyingFailures < RULES.qualifyingFailuresForManualPass) {
        return { ok: false, code: "MANUAL_PASS_NOT_ALLOWED", message: "仅在3次合格照片比对均未通过后，客服才可人工通过" };
      }
      return ctx.reviewMode === "AUTOMATIC" ? go("APPROVED") : go("REVIEWING");
    case "REVIEW_APPROVED":
      return s === "REVIEWING" ? go("APPROVED") : ILLEGAL(s, event.type);
    case "REVIEW_REJECTED":
      return s === "REVIEWING" ? go("REJECTED") : ILLEGAL(s, event.type);
    case "RETAKE_STARTED":
      if (s !== "REJECTED") return ILLEGAL(s, event.type);
      if (ctx.freeRetakesLeft > 0) return go("PAID", { freeRetakesLeft: ctx.freeRetakesLeft - 1 });
      if (ctx.retakePolicy === "PAY_AGAIN") return { ok: false, code: "PAYMENT_REQUIRED", message: "免费重拍次数已用完，需重新支付后重拍" };
      return { ok: false, code: "NO_FREE_RETAKES", message: "免费重拍次数已用完，请联系客服" };
  }
}

/** Events that are legal from `ctx` (for clients: which buttons to show). */
export function allowedEvents(ctx: SubmissionContext): EventType[] {
  const probes: SubmissionEvent[] = [
    { type: "CONSENT_ACCEPTED" }, { type: "CODE_BOUND" }, { type: "CODE_UNBOUND" }, { type: "PAYMENT_CONFIRMED" },
    { type: "PAYMENT_EXEMPTED" }, { type: "PHOTO_ACCEPTED" }, { type: "STANDARDIZED" }, { type: "SUBMITTED" },
    { type: "ADMISSION_CONFIRMED" }, { type: "ADMISSION_DISPUTED" }, { type: "DISPUTE_RESOLVED" },
    { type: "COMPARISON_PASSED", automaticApproval: false }, { type: "COMPARISON_FAILED", qualifying: true },
    { type: "COMPARISON_REFERRED" }, { type: "MANUAL_PASS" }, { type: "REVIEW_APPROVED" }, { type: "REVIEW_REJECTED" }, { type: "RETAKE_STARTED" },
  ];
  return probes.filter((e) => {
    const r = transition(ctx, e);
    return r.ok && r.to !== ctx.state;
  }).map((e) => e.type);
}
