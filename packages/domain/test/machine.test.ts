import { describe, expect, it } from "vitest";
import { SUBMISSION_STATES, allowedEvents, transition, type SubmissionContext, type SubmissionEvent, type SubmissionState } from "@gradphoto/domain";

const base: SubmissionContext = {
  state: "NEW",
  freeRetakesLeft: 2,
  qualifyingFailures: 0,
  schoolPaid: false,
  reviewMode: "MANUAL",
  retakePolicy: "CONTACT_SUPPORT",
  admissionPhotoUsable: true,
};

function run(ctx: SubmissionContext, events: SubmissionEvent[]): SubmissionContext {
  let c = ctx;
  for (const e of events) {
    const r = transition(c, e);
    if (!r.ok) throw new Error(`${c.state} --${e.type}--> ${r.code}`);
    c = { ...c, state: r.to, ...r.effects };
  }
  return c;
}

const toSubmitted: SubmissionEvent[] = [
  { type: "CONSENT_ACCEPTED" },
  { type: "CODE_BOUND" },
  { type: "PAYMENT_CONFIRMED" },
  { type: "PHOTO_ACCEPTED" },
  { type: "STANDARDIZED" },
  { type: "SUBMITTED" },
];

describe("submission state machine", () => {
  it("walks the happy path to 审核通过", () => {
    const c = run(base, [...toSubmitted, { type: "ADMISSION_CONFIRMED" }, { type: "COMPARISON_PASSED", automaticApproval: false }, { type: "REVIEW_APPROVED" }]);
    expect(c.state).toBe("APPROVED");
  });

  it("approves directly in automatic review mode when every check passed", () => {
    const c = run({ ...base, reviewMode: "AUTOMATIC" }, [...toSubmitted, { type: "ADMISSION_CONFIRMED" }, { type: "COMPARISON_PASSED", automaticApproval: true }]);
    expect(c.state).toBe("APPROVED");
  });

  it("skips payment only for school-paid campaigns", () => {
    const bound = run(base, [{ type: "CONSENT_ACCEPTED" }, { type: "CODE_BOUND" }]);
    expect(transition(bound, { type: "PAYMENT_EXEMPTED" })).toMatchObject({ ok: false, code: "ILLEGAL_TRANSITION" });
    expect(transition({ ...bound, schoolPaid: true }, { type: "PAYMENT_EXEMPTED" })).toMatchObject({ ok: true, to: "PAID" });
  });

  it("lets the graduate retake photos freely before submitting", () => {
    let c = run(base, [...toSubmitted.slice(0, 5)]);
    expect(c.state).toBe("STANDARDIZED");
    c = run(c, [{ type: "PHOTO_ACCEPTED" }, { type: "STANDARDIZED" }, { type: "PHOTO_ACCEPTED" }]);
    expect(c.state).toBe("PHOTO_CHECKED");
  });

  it("blocks below the pass line and opens the manual pass after 3 qualifying failures only", () => {
    let c = run(base, [...toSubmitted, { type: "ADMISSION_CONFIRMED" }]);
    // a failure with a photo that broke a rule does not count
    c = run(c, [{ type: "COMPARISON_FAILED", qualifying: false }]);
    expect(c).toMatchObject({ state: "COMPARE_BLOCKED", qualifyingFailures: 0 });
    expect(transition(c, { type: "MANUAL_PASS" })).toMatchObject({ ok: false, code: "MANUAL_PASS_NOT_ALLOWED" });
    const again: SubmissionEvent[] = [{ type: "PHOTO_ACCEPTED" }, { type: "STANDARDIZED" }, { type: "SUBMITTED" }, { type: "ADMISSION_CONFIRMED" }];
    c = run(c, [...again, { type: "COMPARISON_FAILED", qualifying: true }]);
    c = run(c, [...again, { type: "COMPARISON_FAILED", qualifying: true }]);
    expect(c).toMatchObject({ state: "COMPARE_BLOCKED", qualifyingFailures: 2 });
    c = run(c, [...again, { type: "COMPARISON_FAILED", qualifying: true }]);
    expect(c).toMatchObject({ state: "NEEDS_MANUAL_PASS", qualifyingFailures: 3 });
    expect(transition(c, { type: "PHOTO_ACCEPTED" })).toMatchObject({ ok: false });
    expect(run(c, [{ type: "MANUAL_PASS" }]).state).toBe("REVIEWING");
  });

  it("refers a low score against a low-quality admission photo to the school's review without counting a failure", () => {
    const c = run(base, [...toSubmitted, { type: "ADMISSION_CONFIRMED" }, { type: "COMPARISON_REFERRED" }]);
    expect(c).toMatchObject({ state: "REVIEWING", qualifyingFailures: 0 });
    expect(transition(run(base, toSubmitted), { type: "COMPARISON_REFERRED" })).toMatchObject({ ok: false, code: "ILLEGAL_TRANSITION" });
  });

  it("stops on a missing or disputed admission photo", () => {
    const c = run(base, toSubmitted);
    expect(transition({ ...c, admissionPhotoUsable: false }, { type: "ADMISSION_CONFIRMED" })).toMatchObject({ ok: false, code: "ADMISSION_PHOTO_UNUSABLE" });
    const disputed = run(c, [{ type: "ADMISSION_DISPUTED" }]);
    expect(disputed.state).toBe("ADMISSION_DISPUTED");
    expect(transition(disputed, { type: "COMPARISON_PASSED", automaticApproval: false })).toMatchObject({ ok: false });
    expect(run(disputed, [{ type: "DISPUTE_RESOLVED" }]).state).toBe("SUBMITTED");
  });

  it("gives two free retakes after 审核未通过, then follows the campaign's policy", () => {
    const reviewed: SubmissionEvent[] = [{ type: "SUBMITTED" }, { type: "ADMISSION_CONFIRMED" }, { type: "COMPARISON_PASSED", automaticApproval: false }, { type: "REVIEW_REJECTED" }];
    let c = run(base, [...toSubmitted, ...reviewed.slice(1)]);
    expect(c.state).toBe("REJECTED");
    c = run(c, [{ type: "RETAKE_STARTED" }]);
    expect(c).toMatchObject({ state: "PAID", freeRetakesLeft: 1 });
    c = run(c, [{ type: "PHOTO_ACCEPTED" }, { type: "STANDARDIZED" }, ...reviewed, { type: "RETAKE_STARTED" }]);
    expect(c).toMatchObject({ state: "PAID", freeRetakesLeft: 0 });
    c = run(c, [{ type: "PHOTO_ACCEPTED" }, { type: "STANDARDIZED" }, ...reviewed]);
    expect(transition(c, { type: "RETAKE_STARTED" })).toMatchObject({ ok: false, code: "NO_FREE_RETAKES" });
    expect(transition({ ...c, retakePolicy: "PAY_AGAIN" }, { type: "RETAKE_STARTED" })).toMatchObject({ ok: false, code: "PAYMENT_REQUIRED" });
    expect(transition(c, { type: "PAYMENT_CONFIRMED" })).toMatchObject({ ok: true, to: "PAID" });
  });

  it("rejects every event that is not drawn in the diagram", () => {
    // Exhaustive: for each state, only the listed events may change it.
    const legal: Record<SubmissionState, string[]> = {
      NEW: ["CONSENT_ACCEPTED"],
      CONSENTED: ["CODE_BOUND"],
      CODE_BOUND: ["CODE_UNBOUND", "PAYMENT_CONFIRMED"],
      PAID: ["CODE_UNBOUND", "PHOTO_ACCEPTED"],
      PHOTO_CHECKED: ["CODE_UNBOUND", "STANDARDIZED"],
      STANDARDIZED: ["CODE_UNBOUND", "PHOTO_ACCEPTED", "SUBMITTED"],
      SUBMITTED: ["ADMISSION_CONFIRMED", "ADMISSION_DISPUTED"],
      ADMISSION_CONFIRMED: ["ADMISSION_DISPUTED", "COMPARISON_PASSED", "COMPARISON_FAILED", "COMPARISON_REFERRED"],
      ADMISSION_DISPUTED: ["DISPUTE_RESOLVED"],
      COMPARE_BLOCKED: ["PHOTO_ACCEPTED", "ADMISSION_DISPUTED"],
      NEEDS_MANUAL_PASS: [],
      REVIEWING: ["REVIEW_APPROVED", "REVIEW_REJECTED"],
      APPROVED: [],
      REJECTED: ["PAYMENT_CONFIRMED", "RETAKE_STARTED"],
    };
    for (const state of SUBMISSION_STATES) {
      expect(allowedEvents({ ...base, state, qualifyingFailures: state === "NEEDS_MANUAL_PASS" ? 2 : 0 }).sort(), state).toEqual([...legal[state]].sort());
    }
  });
});
