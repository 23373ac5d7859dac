import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { RULES } from "@gradphoto/domain";
import { ApiErrorSchema, CompareResponseSchema, DisputeRequestSchema, SubmissionViewSchema } from "@gradphoto/contracts";
import { AppError } from "../lib/errors.js";
import { ownSubmission } from "../lib/ownership.js";
import { graduateOf } from "../plugins/auth.js";
import { applyEvent, type Actor } from "../services/transitions.js";
import { submissionView } from "../services/submission-view.js";
import { compareSubmission } from "../services/compare-service.js";
import { assertConsentCurrent } from "./photos.js";

const Params = z.object({ id: z.string().uuid() });
const bearer = [{ bearer: [] }];

/** 确认录取照片 → 人像比对 (≥ 80 passes; 3 qualifying failures open the manual pass), and 重拍. */
export const comparisonRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.post(
    "/api/submissions/:id/admission-photo/confirm",
    {
      config: { auth: "graduate", subjectRateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: { tags: ["graduate"], summary: "Confirm the admission photo; the comparison runs at once", security: bearer, params: Params, response: { 200: CompareResponseSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      assertConsentCurrent(s);
      const actor: Actor = { type: "GRADUATE", id: graduateOf(req).wechatUserId, ip: req.ip };
      // Already confirmed (an earlier comparison could not run): just compare again.
      if (s.state !== "ADMISSION_CONFIRMED") await db.$transaction((tx) => applyEvent(tx, s.id, { type: "ADMISSION_CONFIRMED" }, actor));
      const comparison = await compareSubmission(app.deps, s.id, actor);
      return { comparison, submission: await submissionView(db, s.id) };
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
