import type { Db } from "@gradphoto/db";
import { allowedEvents, STATE_LABELS, standardisationQuota } from "@gradphoto/domain";
import type { SubmissionView } from "@gradphoto/contracts";
import { notFound } from "../lib/errors.js";
import { loadContext, type Tx } from "./transitions.js";

/** Everything the mini-program needs to render the graduate's current step. */
export async function submissionView(db: Db | Tx, submissionId: string, now = new Date()): Promise<SubmissionView> {
  const s = await db.submission.findUnique({
    where: { id: submissionId },
    include: {
      campaign: true,
      rosterEntry: true,
      attempts: { where: { createdAt: { gte: new Date(now.getTime() - 3 * 24 * 3600_000) } }, select: { createdAt: true } },
      comparisons: { orderBy: { createdAt: "desc" }, take: 1 },
      reviews: { orderBy: { createdAt: "desc" }, take: 1 },
    },
  });
  if (!s) throw notFound();
  const quota = standardisationQuota(s.attempts.map((a) => a.createdAt), now);
  const { ctx } = await loadContext(db as Tx, s.id);
  const c = s.campaign;
  const r = s.rosterEntry;
  const cmp = s.comparisons[0];
  const rev = s.reviews[0];
  return {
    id: s.id,
    campaignId: s.campaignId,
    state: s.state,
    stateLabel: STATE_LABELS[s.state],
    consentVersion: s.consentVersion,
    consentCurrent: s.consentVersion === c.consentVersion,
    paymentExempt: s.paymentExempt,
    freeRetakesLeft: s.freeRetakesLeft,
    qualifyingFailures: s.qualifyingFailures,
    quota: { usedToday: quota.usedToday, remainingToday: quota.remainingToday, nextAllowedAt: quota.nextAllowedAt?.toISOString() ?? null },
    rosterEntry: r ? { uniqueNumber: r.uniqueNumber, name: r.name, idNumberMasked: r.idNumberMasked, college: r.college, major: r.major, degreeLevel: r.degreeLevel } : null,
    currentPhotoId: s.currentPhotoId,
    submittedPhotoId: s.submittedPhotoId,
    lastComparison: cmp ? { score: cmp.score, passed: cmp.passed, referred: cmp.referralReason !== null, createdAt: cmp.createdAt.toISOString() } : null,
    lastReview: rev ? { decision: rev.decision, reason: rev.reason, createdAt: rev.createdAt.toISOString() } : null,
    allowedEvents: allowedEvents(ctx),
    contacts: {
      customerServicePhone: c.customerServicePhone,
      customerServiceHours: c.customerServiceHours,
      registrarContact: c.registrarContact,
      paymentContact: c.paymentContact,
    },
  };
}
