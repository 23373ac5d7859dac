import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { shanghaiDay } from "@gradphoto/domain";
import { check } from "@gradphoto/photo";
import { ApiErrorSchema, PhotoPrecheckResponseSchema } from "@gradphoto/contracts";
import { AppError } from "../lib/errors.js";
import { readSingleFile } from "../lib/upload.js";
import { audit } from "../lib/audit.js";
import { ownSubmission } from "../lib/ownership.js";
import { graduateOf } from "../plugins/auth.js";
import { lockSubmission } from "../services/transitions.js";
import { assertPhotoService, campaignSpec } from "../services/photo-service.js";
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
        response: { 200: PhotoPrecheckResponseSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 413: ApiErrorSchema, 429: ApiErrorSchema, 503: ApiErrorSchema },
      },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      // the same reader as the upload route: a cut-off or malformed body is a 400, never a 500
      const { bytes } = await readSingleFile(req, { field: "photo", maxBytes: MAX_UPLOAD_BYTES, what: "照片" });
      if (bytes.length === 0) throw new AppError(400, "INVALID_IMAGE", "照片文件为空，请重新拍摄或选择");

      const now = new Date();
      const since = shanghaiDayStart(now);
      const limitReached = () => {
        const reopens = new Date(since.getTime() + 24 * 3600_000);
        return new AppError(429, "PRECHECK_LIMIT_REACHED", `今天的 ${PRECHECK_PER_DAY} 次免费检测已用完，请明天再试，或支付后拍摄（拍摄后的检测不限次数）`, { nextAllowedAt: reopens.toISOString() });
      };
      // today's free checks are the audit entries they left
      const usedToday = (client: Pick<typeof db, "auditLog">) => client.auditLog.count({ where: { action: ACTION, targetType: "submission", targetId: s.id, createdAt: { gte: since } } });
      if ((await usedToday(db)) >= PRECHECK_PER_DAY) throw limitReached();
      // checked before a use is taken: a fault of the service (503) costs the graduate none
      const r = await check(bytes, campaignSpec(s.campaign.photoSpec), { origin: req.query.source === "ALBUM" ? "album" : "camera" });
      assertPhotoService(r.error);
      // count again and take one use under the submission's row lock: parallel taps cannot exceed the limit
      const used = await db.$transaction(async (tx) => {
        await lockSubmission(tx, s.id);
        const n = await usedToday(tx);
        if (n >= PRECHECK_PER_DAY) return null;
        await audit(tx, { actorType: "GRADUATE", actorId: graduateOf(req).wechatUserId, schoolId: s.campaign.schoolId, action: ACTION, targetType: "submission", targetId: s.id, after: { bytes: bytes.length, source: req.query.source }, ip: req.ip });
        return n + 1;
      });
      if (used === null) throw limitReached();
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
