import { bindCaptureCode, matchCaptureCode } from "@gradphoto/capture-code";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiErrorSchema, CodePreviewSchema, ConfirmCodeRequestSchema, ConfirmCodeResponseSchema, ScanCodeRequestSchema } from "@gradphoto/contracts";
import { AppError } from "../lib/errors.js";
import { readSingleFile } from "../lib/upload.js";
import { ownSubmission } from "../lib/ownership.js";
import { signToken, verifyToken } from "../lib/signed-token.js";
import { graduateOf } from "../plugins/auth.js";
import { applyEvent } from "../services/transitions.js";
import { submissionView } from "../services/submission-view.js";
import { decodeFields, textFromImage } from "../services/capture-code-service.js";
import { assertConsentCurrent } from "./photos.js";

const Params = z.object({ id: z.string().uuid() });
const bearer = [{ bearer: [] }];
const MAX_CODE_IMAGE = 20 * 1024 * 1024;
const matchStatus: Record<string, number> = { CODE_ALREADY_BOUND: 409, ACCOUNT_HAS_OTHER_CODE: 409, CAMPAIGN_CLOSED: 409 };

/** 扫描或上传采集码 → 确认信息 → 绑定. */
export const captureCodeRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, config } = app.deps;

  /** decode → provider → roster match; returns what the graduate confirms, never binds. */
  async function preview(req: Parameters<typeof ownSubmission>[1], submissionId: string, raw: string) {
    const s = await ownSubmission(db, req, submissionId);
    assertConsentCurrent(s);
    if (s.state !== "CONSENTED") throw new AppError(409, "CODE_ALREADY_SET", "采集码已确认，如需更换请联系客服", { state: s.state });
    const school = await db.school.findUniqueOrThrow({ where: { id: s.campaign.schoolId } });
    const fields = await decodeFields(raw, s.campaign.captureCodeProvider, s.campaign.providerConfig, school.code, config);
    const m = await matchCaptureCode(db, { campaignId: s.campaignId, fields, wechatUserId: graduateOf(req).wechatUserId });
    if (!m.ok) throw new AppError(matchStatus[m.code] ?? 422, m.code, m.message);
    return {
      codeToken: signToken(config.signingSecret, "capture-code", { raw, submissionId: s.id }, 600),
      fields: { uniqueNumber: fields.uniqueNumber, maskedName: fields.maskedName, maskedIdNumber: fields.maskedIdNumber, schoolCode: fields.schoolCode, schoolName: fields.schoolName, degreeLevel: fields.degreeLevel },
      rosterEntry: { name: m.rosterEntry.name, idNumberMasked: m.rosterEntry.idNumberMasked, college: m.rosterEntry.college, major: m.rosterEntry.major, degreeLevel: m.rosterEntry.degreeLevel },
      consistent: m.consistent,
    };
  }

  const rate = { max: 20, timeWindow: "1 minute" };

  app.post(
    "/api/submissions/:id/capture-code/scan",
    {
      config: { auth: "graduate", subjectRateLimit: rate },
      schema: { tags: ["graduate"], summary: "Read a scanned 采集码 text and show the matched roster data", security: bearer, params: Params, body: ScanCodeRequestSchema, response: { 200: CodePreviewSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 422: ApiErrorSchema } },
    },
    async (req) => preview(req, req.params.id, req.body.text),
  );

  app.post(
    "/api/submissions/:id/capture-code/upload",
    {
      config: { auth: "graduate", subjectRateLimit: rate },
      schema: { tags: ["graduate"], summary: "Upload the saved 采集码 image (multipart field `image`)", consumes: ["multipart/form-data"], security: bearer, params: Params, response: { 200: CodePreviewSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 413: ApiErrorSchema, 422: ApiErrorSchema } },
    },
    async (req) => {
      await ownSubmission(db, req, req.params.id);
      const { bytes } = await readSingleFile(req, { field: "image", maxBytes: MAX_CODE_IMAGE, what: "采集码图片" });
      const raw = await textFromImage(bytes);
      return preview(req, req.params.id, raw);
    },
  );

  app.post(
    "/api/submissions/:id/capture-code/confirm",
    {
      config: { auth: "graduate", subjectRateLimit: rate },
      schema: { tags: ["graduate"], summary: "Confirm the shown info and bind the 采集码 to this WeChat account", security: bearer, params: Params, body: ConfirmCodeRequestSchema, response: { 200: ConfirmCodeResponseSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 422: ApiErrorSchema } },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      assertConsentCurrent(s);
      const token = verifyToken<{ raw: string; submissionId: string }>(config.signingSecret, "capture-code", req.body.codeToken);
      if (!token || token.submissionId !== s.id) throw new AppError(422, "CODE_TOKEN_INVALID", "确认已超时，请重新扫描或上传采集码");
      const g = graduateOf(req);
      const school = await db.school.findUniqueOrThrow({ where: { id: s.campaign.schoolId } });
      const fields = await decodeFields(token.raw, s.campaign.captureCodeProvider, s.campaign.providerConfig, school.code, config);
      if (s.state !== "CONSENTED") throw new AppError(409, "CODE_ALREADY_SET", "采集码已确认，如需更换请联系客服", { state: s.state });
      const bound = await bindCaptureCode(db, { campaignId: s.campaignId, fields, wechatUserId: g.wechatUserId, rawText: token.raw, provider: s.campaign.captureCodeProvider });
      if (!bound.ok) throw new AppError(matchStatus[bound.code] ?? 422, bound.code, bound.message);
      const exempt = s.campaign.schoolPaid || s.campaign.feeFen === 0;
      await db.$transaction(async (tx) => {
        const actor = { type: "GRADUATE" as const, id: g.wechatUserId, ip: req.ip };
        await applyEvent(tx, s.id, { type: "CODE_BOUND" }, actor, { rosterEntry: { connect: { id: bound.rosterEntryId } } });
        // School-paid campaigns skip the payment step.
        if (exempt) await applyEvent(tx, s.id, { type: "PAYMENT_EXEMPTED" }, { type: "SYSTEM" }, { paymentExempt: true });
      });
      return { submission: await submissionView(db, s.id) };
    },
  );
};
