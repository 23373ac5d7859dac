import { describeReasons, type FaceComparer, type ReferenceQuality } from "@gradphoto/face";
import type { AppDeps } from "../context.js";
import { AppError } from "../lib/errors.js";
import { applyEvent, type Actor } from "./transitions.js";
import { faceComparer, tencentComparer } from "./face-service.js";
import { isQualifying } from "./photo-service.js";
import { enqueueReviewNotification } from "../jobs/notify.js";
import { repeatsEarlierFailure, similarPhotoMessage, type SimilarityKind } from "./photo-similarity.js";

export interface ComparisonOutcome {
  score: number | null;
  threshold: number;
  passed: boolean;
  qualifying: boolean;
  qualifyingFailures: number;
  message: string;
  error: { code: string; message: string } | null;
  /** set when the photo repeats an earlier failed one (it then does not count toward the manual pass) */
  repeatOf: SimilarityKind | null;
  /** under 80 against a low-quality admission photo: sent to the school's review, not counted as a failure */
  referral: { reason: "LOW_QUALITY_REFERENCE"; message: string } | null;
}

/**
 * Compares the submitted standardised photo with the roster's admission photo, records the result
 * (score, threshold, model id, calibration version) and moves the submission on.
 */
export async function compareSubmission(deps: AppDeps, submissionId: string, actor: Actor): Promise<ComparisonOutcome> {
  const { db, storage } = deps;
  const s = await db.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { rosterEntry: true, campaign: true } });
  const photo = s.submittedPhotoId ? await db.photo.findUnique({ where: { id: s.submittedPhotoId } }) : null;
  const ref = s.rosterEntry;
  if (!photo?.standardizedKey || !ref?.admissionPhotoKey) throw new AppError(409, "NOTHING_TO_COMPARE", "缺少提交的照片或录取照片，无法比对");
  const comparer = await faceComparer().catch((e: unknown) => {
    throw new AppError(503, "COMPARISON_UNAVAILABLE", "人像比对服务暂时不可用，请稍后再试", { reason: (e as Error).message });
  });
  const [probe, reference] = await Promise.all([storage.get(photo.standardizedKey), storage.get(ref.admissionPhotoKey)]);
  // Per-photo problems (no face, too small…) come back as r.error; a throw is the model failing at run
  // time (nothing is recorded, the graduate can try again).
  // The campaign's provider: the local model, or Tencent Cloud (local fallback, recorded). Only the
  // standardised photo and the admission photo are sent, never the original upload.
  const r = await compareWith(deps, s.campaign.faceProvider, comparer, probe, reference).catch((e: unknown) => {
    throw new AppError(503, "COMPARISON_UNAVAILABLE", "人像比对服务暂时不可用，请稍后再试", { reason: (e as Error).message });
  });
  // A low score against a low-quality admission photo may be the admission photo's fault: the school
  // reviews it (with the reason) instead of it counting as the graduate's failed photo.
  const referred = r.score !== null && !r.passed && r.lowQualityReferenceNote !== undefined;
  // a failure counts toward the manual pass only with a photo different from the earlier failed ones
  const repeat = r.score !== null && !r.passed && !referred && isQualifying(photo.checkReport) ? await repeatsEarlierFailure(deps, submissionId, photo, comparer) : null;
  const qualifying = r.score !== null && !referred && isQualifying(photo.checkReport) && !repeat;
  await db.$transaction(async (tx) => {
    await tx.comparison.create({
      data: {
        submissionId,
        photoId: photo.id,
        referenceKey: ref.admissionPhotoKey!,
        score: r.score,
        threshold: r.threshold,
        passed: r.passed,
        qualifying: qualifying && !r.passed,
        modelId: r.modelId,
        calibrationVersion: r.calibrationVersion,
        errorCode: r.error?.code ?? null,
        referenceQuality: r.referenceQuality ? { ...r.referenceQuality } : undefined,
        referralReason: referred ? "LOW_QUALITY_REFERENCE" : null,
        provider: r.provider,
        fallbackReason: r.fallback?.code ?? null,
      },
    });
    if (r.error?.image === "reference") {
      // The admission photo itself is unusable: that is for the 学籍部门, not a failure of the graduate.
      await tx.rosterEntry.update({ where: { id: ref.id }, data: { admissionPhotoStatus: "DISPUTED", disputeNote: `系统比对失败：${r.error.message}`, disputedAt: new Date() } });
      await applyEvent(tx, submissionId, { type: "ADMISSION_DISPUTED" }, { type: "SYSTEM" });
    } else if (r.passed) {
      const automatic = s.campaign.reviewMode === "AUTOMATIC" && isQualifying(photo.checkReport);
      const t = await applyEvent(tx, submissionId, { type: "COMPARISON_PASSED", automaticApproval: automatic }, actor, automatic ? { decidedAt: new Date() } : {});
      if (t.to === "APPROVED") {
        await tx.review.create({ data: { submissionId, photoId: photo.id, decision: "APPROVED", automatic: true, reason: null } });
      }
    } else if (referred) {
      await applyEvent(tx, submissionId, { type: "COMPARISON_REFERRED" }, actor);
    } else {
      await applyEvent(tx, submissionId, { type: "COMPARISON_FAILED", qualifying }, actor);
    }
  });
  const after = await db.submission.findUniqueOrThrow({ where: { id: submissionId } });
  if (after.state === "APPROVED") await enqueueReviewNotification(deps, submissionId);
  const referralMessage = referred ? `${r.lowQualityReferenceNote}，已转交学校人工审核，请耐心等待审核结果` : null;
  const message = r.error
    ? r.error.message
    : referralMessage
      ? referralMessage
      : r.passed
      ? "比对通过"
      : after.state === "NEEDS_MANUAL_PASS"
        ? `比对未通过。已有${after.qualifyingFailures}张合格照片比对未通过，请联系客服处理：${s.campaign.customerServicePhone}（${s.campaign.customerServiceHours}）`
        : repeat
          ? `比对未通过。${similarPhotoMessage(repeat.kind)}`
          : "比对未通过，请更换其他照片上传比对";
  return {
    score: r.score,
    threshold: r.threshold,
    passed: r.passed,
    qualifying: qualifying && !r.passed,
    qualifyingFailures: after.qualifyingFailures,
    message,
    error: r.error ? { code: r.error.code, message: r.error.message } : null,
    repeatOf: repeat?.kind ?? null,
    referral: referralMessage ? { reason: "LOW_QUALITY_REFERENCE", message: referralMessage } : null,
  };
}

/** What a reviewer is told about a comparison that was sent to review instead of counting as a failure. */
export function referralNote(c: { score: number | null; threshold: number; referralReason: string | null; referenceQuality: unknown } | undefined): string | null {
  if (!c || c.referralReason !== "LOW_QUALITY_REFERENCE") return null;
  const q = c.referenceQuality as Partial<ReferenceQuality> | null;
  const why = q?.reasons?.length ? `（${describeReasons(q.reasons)}）` : "";
  return `比对 ${c.score ?? "-"} 分，低于 ${c.threshold} 分；录取照片质量较低${why}，分数可能偏低，请人工核对是否本人`;
}

type Compared = Awaited<ReturnType<FaceComparer["compare"]>> & { provider: "local" | "tencent"; fallback?: { code: string } };

async function compareWith(deps: AppDeps, provider: string, local: FaceComparer, photo: Buffer, reference: Buffer): Promise<Compared> {
  if (provider === "tencent") {
    const cloud = await tencentComparer(deps.config);
    if (cloud) return cloud.compare(photo, reference);
    return { ...(await local.compare(photo, reference)), provider: "local", fallback: { code: "TENCENT_NOT_CONFIGURED" } };
  }
  return { ...(await local.compare(photo, reference)), provider: "local" };
}
