import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { shanghaiDay } from "@gradphoto/domain";
import { check } from "@gradphoto/photo";
import { ApiErrorSchema, PhotoPrecheckResponseSchema } from "@gradphoto/contracts";
import { AppError, commonError } from "../lib/errors.js";
import { audit } from "../lib/audit.js";
import { ownSubmission } from "../lib/ownership.js";
import { graduateOf } from "../plugins/auth.js";
import { lockSubmission } from "../services/transitions.js";
import { campaignSpec } from "../services/photo-service.js";
import { MAX_UPLOAD_BYTES } from "./photos.js";

const Params = z.object({ id: z.string().uuid() });
const bearer = [{ bearer: [] }];
/** free checks before paying, per graduate and Asia/Shanghai day */
export const PRECHECK_PER_DAY = 5;
const ACTION = "photo.precheck";

/** Start of the Asia/Shanghai day of `at`, as an instant. */
function shanghaiDayStart(at: Date): Date {
  return new Date(`${shanghaiDay(at)}T00:00:00+08:00`);
}

/**
 * 免费检测: before paying, the graduate may run the quality check (no standardisation, no comparison)
 * on a photo, so nobody pays and then learns their only photo cannot pass. The photo is checked in
 * memory and never stored; each use is one audit entry (which is also the daily count).
 */
export const photoPrecheckRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.post(
    "/api/submissions/:id/photo-precheck",
    {
      config: { auth: "graduate", rateLimit: { max: 6, timeWindow: "1 minute", keyGenerator: (req) => req.headers.authorization ?? req.ip } },
      schema: {
        tags: ["graduate"],
        summary: `Free quality check of a photo before paying (multipart field \`photo\`; ${PRECHECK_PER_DAY} a day; the photo is not kept)`,
        consumes: ["multipart/form-data"],
        security: bearer,
        params: Params,
        querystring: z.object({ source: z.enum(["CAMERA", "ALBUM"]).default("ALBUM") }),
        response: { 200: PhotoPrecheckResponseSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 413: ApiErrorSchema, 429: ApiErrorSchema },
      },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      if (!req.isMultipart()) throw new AppError(400, "VALIDATION_FAILED", "请以表单方式上传照片（字段 photo）");
      const file = await req.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
      if (!file) throw new AppError(400, "VALIDATION_FAILED", "没有收到照片，请重新选择");
      const bytes = await file.toBuffer().catch((e: { code?: string }) => {
        if (e.code === "FST_REQ_FILE_TOO_LARGE") throw commonError(413, "PAYLOAD_TOO_LARGE");
        throw e;
      });
      if (file.file.truncated) throw commonError(413, "PAYLOAD_TOO_LARGE");
      if (bytes.length === 0) throw new AppError(400, "INVALID_IMAGE", "照片文件为空，请重新拍摄或选择");

      const now = new Date();
      const since = shanghaiDayStart(now);
      // count and take one use under the submission's row lock: parallel taps cannot exceed the limit
      const used = await db.$transaction(async (tx) => {
        await lockSubmission(tx, s.id);
        const n = await tx.auditLog.count({ where: { action: ACTION, targetType: "submission", targetId: s.id, createdAt: { gte: since } } });
        if (n >= PRECHECK_PER_DAY) return null;
        await audit(tx, { actorType: "GRADUATE", actorId: graduateOf(req).wechatUserId, schoolId: s.campaign.schoolId, action: ACTION, targetType: "submission", targetId: s.id, after: { bytes: bytes.length, source: req.query.source }, ip: req.ip });
        return n + 1;
      });
      if (used === null) {
        const reopens = new Date(since.getTime() + 24 * 3600_000);
        throw new AppError(429, "PRECHECK_LIMIT_REACHED", `今天的 ${PRECHECK_PER_DAY} 次免费检测已用完，请明天再试，或支付后拍摄（拍摄后的检测不限次数）`, { nextAllowedAt: reopens.toISOString() });
      }
      const r = await check(bytes, campaignSpec(s.campaign.photoSpec), { origin: req.query.source === "ALBUM" ? "album" : "camera" });
      return {
        compliant: r.compliant && !r.error,
        checks: r.checks.map((c) => ({ id: c.id, passed: c.passed, severity: c.severity === "warning" ? ("warning" as const) : ("error" as const), message: c.message, value: c.value, threshold: c.threshold })),
        error: r.error ? { code: r.error.code, message: r.error.message } : null,
        usedToday: used,
        remainingToday: PRECHECK_PER_DAY - used,
        limitPerDay: PRECHECK_PER_DAY,
      };
    },
  );
};
