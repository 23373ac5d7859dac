import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { RULES } from "@gradphoto/domain";
import { ApiErrorSchema, CompareResponseSchema, DisputeRequestSchema, SubmissionViewSchema } from "@gradphoto/contracts";
import { AppError } from "../lib/errors.js";
import { ownSubmission } from "../lib/ownership.js";
import { graduateOf } from "../plugins/auth.js";
import { applyEvent, lockSubmission, type Actor } from "../services/transitions.js";
import { submissionView } from "../services/submission-view.js";
import { compareSubmission } from "../services/compare-service.js";
import { assertConsentCurrent } from "./photos.js";

const Params = z.object({ id: z.string().uuid() });
/** A comparison takes about a second (Tencent Cloud: 5-s timeout, a few retries); one claimed longer ago died. */
const STALE_COMPARISON_MS = 120_000;
const bearer = [{ bearer: [] }];

/** 确认录取照片 → 人像比对 (≥ 80 passes; 3 qualifying failures open the manual pass), and 重拍. */
export const comparisonRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.post(
    "/api/submissions/:id/admission-photo/confirm",
    {
      config: { auth: "graduate", subjectRateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: { tags: ["graduate"], summary: "Confirm the admission photo; the comparison runs at once", security: bearer, params: Params, response: { 200: CompareResponseSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 503: ApiErrorSchema } },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      assertConsentCurrent(s);
      const actor: Actor = { type: "GRADUATE", id: graduateOf(req).wechatUserId, ip: req.ip };
      // One comparison at a time, claimed under the row lock: a double tap, a request the phone sent
      // again after a weak-network timeout, or a second phone would otherwise run it (and with Tencent
      // Cloud bill it) twice. A claim without a result after two minutes died with its process.
      const claimedAt = await db.$transaction(async (tx) => {
        await lockSubmission(tx, s.id);
        const cur = await tx.submission.findUniqueOrThrow({ where: { id: s.id }, select: { state: true, comparingSince: true } });
        const now = new Date();
        if (cur.comparingSince && now.getTime() - cur.comparingSince.getTime() < STALE_COMPARISON_MS) throw new AppError(409, "COMPARISON_IN_PROGRESS", "正在比对，请稍候");
        // Already confirmed (an earlier comparison could not run): just compare again.
        if (cur.state !== "ADMISSION_CONFIRMED") await applyEvent(tx, s.id, { type: "ADMISSION_CONFIRMED" }, actor);
        await tx.submission.update({ where: { id: s.id }, data: { comparingSince: now } });
        return now;
      });
      try {
        const comparison = await compareSubmission(app.deps, s.id, actor);
        return { comparison, submission: await submissionView(db, s.id) };
      } finally {
        // released whether it ran or failed; only this request's own claim
        await db.submission.updateMany({ where: { id: s.id, comparingSince: claimedAt }, data: { comparingSince: null } });
      }
    },
  );

  app.post(
    "/api/submissions/:id/admission-photo/dispute",
    {
      config: { auth: "graduate" },
      schema: { tags: ["graduate"], summary: "录取照片有误或缺失: stops the flow and flags the entry for staff", security: bearer, params: Params, body: DisputeRequestSchema, response: { 200: SubmissionViewSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      const actor: Actor = { type: "GRADUATE", id: graduateOf(req).wechatUserId, ip: req.ip };
      await db.$transaction(async (tx) => {
        await applyEvent(tx, s.id, { type: "ADMISSION_DISPUTED" }, actor);
        if (s.rosterEntryId) {
          await tx.rosterEntry.update({ where: { id: s.rosterEntryId }, data: { admissionPhotoStatus: "DISPUTED", disputeNote: req.body.note || "毕业生反馈录取照片有误或缺失", disputedAt: new Date() } });
        }
      });
      return submissionView(db, s.id);
    },
  );

  app.post(
    "/api/submissions/:id/retake",
    {
      config: { auth: "graduate" },
      schema: { tags: ["graduate"], summary: "Start a free retake after 审核未通过", security: bearer, params: Params, response: { 200: SubmissionViewSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      assertConsentCurrent(s);
      await db.$transaction((tx) => applyEvent(tx, s.id, { type: "RETAKE_STARTED" }, { type: "GRADUATE", id: graduateOf(req).wechatUserId, ip: req.ip }, { currentPhotoId: null, submittedPhotoId: null }));
      return submissionView(db, s.id);
    },
  );
};

export const COMPARE_THRESHOLD = RULES.comparePassScore;
export { AppError };
