import type { Prisma } from "@gradphoto/db";
import { transition, type SubmissionContext, type SubmissionEvent } from "@gradphoto/domain";
import { AppError, notFound } from "../lib/errors.js";
import { audit } from "../lib/audit.js";

export type Tx = Prisma.TransactionClient;

export interface Actor {
  type: "STAFF" | "GRADUATE" | "SYSTEM";
  id?: string | null;
  ip?: string | null;
}

/**
 * Locks the submission row (FOR UPDATE) so concurrent requests for one graduate run one at a time.
 * Every state change and every quota decision happens under this lock.
 */
export async function lockSubmission(tx: Tx, submissionId: string): Promise<void> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "submissions" WHERE id = ${submissionId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw notFound();
}

/** Loads what the state machine's guards need. */
export async function loadContext(tx: Tx, submissionId: string): Promise<{ ctx: SubmissionContext; schoolId: string }> {
  const s = await tx.submission.findUnique({
    where: { id: submissionId },
    include: { campaign: true, rosterEntry: true },
  });
  if (!s) throw notFound();
  return {
    schoolId: s.campaign.schoolId,
    ctx: {
      state: s.state,
      freeRetakesLeft: s.freeRetakesLeft,
      qualifyingFailures: s.qualifyingFailures,
      schoolPaid: s.campaign.schoolPaid || s.campaign.feeFen === 0,
      reviewMode: s.campaign.reviewMode,
      retakePolicy: s.campaign.retakePolicy,
      admissionPhotoUsable: Boolean(s.rosterEntry?.admissionPhotoKey) && s.rosterEntry?.admissionPhotoStatus === "PRESENT",
    },
  };
}

/**
 * The only way a submission's state changes: lock, check with the pure state machine, persist the new
 * state with its effects, append the transition and an audit entry — all in the caller's transaction.
 * An illegal event is a 409 with the machine's stable code.
 */
export async function applyEvent(
  tx: Tx,
  submissionId: string,
  event: SubmissionEvent,
  actor: Actor,
  extra: Prisma.SubmissionUpdateInput = {},
): Promise<{ from: string; to: string }> {
  await lockSubmission(tx, submissionId);
  const { ctx, schoolId } = await loadContext(tx, submissionId);
  const r = transition(ctx, event);
  if (!r.ok) throw new AppError(409, r.code, r.message, { state: ctx.state, event: event.type });
  await tx.submission.update({
    where: { id: submissionId },
    data: {
      ...extra,
      state: r.to,
      version: { increment: 1 },
      ...(r.effects.qualifyingFailures !== undefined ? { qualifyingFailures: r.effects.qualifyingFailures } : {}),
      ...(r.effects.freeRetakesLeft !== undefined ? { freeRetakesLeft: r.effects.freeRetakesLeft } : {}),
    },
  });
  if (r.from !== r.to) {
    await tx.submissionTransition.create({
      data: { submissionId, event: event.type, fromState: r.from, toState: r.to, actorType: actor.type, actorId: actor.id ?? null },
    });
  }
  await audit(tx, {
    actorType: actor.type,
    actorId: actor.id,
    schoolId,
    action: `submission.${event.type.toLowerCase()}`,
    targetType: "submission",
    targetId: submissionId,
    before: { state: r.from },
    after: { state: r.to, ...r.effects },
    ip: actor.ip,
  });
  return { from: r.from, to: r.to };
}
