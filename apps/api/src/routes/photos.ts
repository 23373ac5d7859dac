import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { createHash } from "node:crypto";
import { z } from "zod";
import { standardisationQuota, shanghaiDay } from "@gradphoto/domain";
import {
  AdmissionPhotoSchema,
  ApiErrorSchema,
  PhotoUploadResponseSchema,
  PhotoViewSchema,
  StandardizeResponseSchema,
  SubmitRequestSchema,
  SubmissionViewSchema,
} from "@gradphoto/contracts";
import { AppError, notFound } from "../lib/errors.js";
import { readSingleFile } from "../lib/upload.js";
import { ownSubmission } from "../lib/ownership.js";
import { graduateOf } from "../plugins/auth.js";
import { applyEvent, lockSubmission } from "../services/transitions.js";
import { submissionView } from "../services/submission-view.js";
import { assertPhotoService, assertStorageQuota, campaignSpec, photoView, runStandardize, storeAndCheck } from "../services/photo-service.js";

const Params = z.object({ id: z.string().uuid() });
const PhotoParams = z.object({ id: z.string().uuid(), photoId: z.string().uuid() });
const bearer = [{ bearer: [] }];
const PHOTO_STATES = ["PAID", "PHOTO_CHECKED", "STANDARDIZED", "COMPARE_BLOCKED"];
export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024;
/** A standardisation run without a result after this long died with its process. */
const STALE_RUN_MS = 120_000;


/** How long after an upload the same file counts as that upload sent again. */
const REPEAT_WINDOW_MS = 10 * 60_000;

/** 拍照 → 质量检测 → 标准化 (quota) → 确认提交. Retakes before submitting are free and unlimited. */
export const photoRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, storage, config } = app.deps;

  /**
   * The submission's latest photo when `bytes` is that same file, uploaded within REPEAT_WINDOW_MS, and
   * nothing happened since: an accepted photo still current and unstandardised, or a refused one (it
   * changed nothing). Otherwise null (a later retake of an older file is a new upload).
   */
  async function repeatedUpload(s: { id: string; state: string; currentPhotoId: string | null }, source: "CAMERA" | "ALBUM", bytes: Buffer) {
    const latest = await db.photo.findFirst({ where: { submissionId: s.id }, orderBy: { createdAt: "desc" } });
    if (!latest || latest.source !== source || Date.now() - latest.createdAt.getTime() > REPEAT_WINDOW_MS || latest.originalBytes !== bytes.length) return null;
    if (latest.originalSha256 !== createHash("sha256").update(bytes).digest("hex")) return null;
    const unchanged = latest.compliant ? s.state === "PHOTO_CHECKED" && s.currentPhotoId === latest.id : true;
    return unchanged ? latest : null;
  }

  app.post(
    "/api/submissions/:id/photos",
    {
      config: { auth: "graduate", subjectRateLimit: { max: 30, timeWindow: "1 minute" } },
      schema: {
        tags: ["graduate"],
        summary: "Upload a photo (multipart field `photo`); returns the quality-check report",
        consumes: ["multipart/form-data"],
        security: bearer,
        params: Params,
        querystring: z.object({ source: z.enum(["CAMERA", "ALBUM"]).default("CAMERA") }),
        response: { 200: PhotoUploadResponseSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 413: ApiErrorSchema, 422: ApiErrorSchema, 429: ApiErrorSchema, 503: ApiErrorSchema },
      },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      assertConsentCurrent(s);
      if (!PHOTO_STATES.includes(s.state)) throw new AppError(409, "PHOTO_NOT_ALLOWED_NOW", "当前步骤不能上传照片", { state: s.state });
      const { bytes } = await readSingleFile(req, { field: "photo", maxBytes: MAX_UPLOAD_BYTES, what: "照片" });
      if (bytes.length === 0) throw new AppError(400, "INVALID_IMAGE", "照片文件为空，请重新拍摄或选择");
      // The same file again, right after it was stored and with nothing done since: an upload whose
      // answer was lost, sent again (by the graduate, or by the phone's network stack on a cut
      // connection). It gets the stored photo's answer instead of a second copy and check.
      const again = await repeatedUpload(s, req.query.source, bytes);
      if (again) return { photo: await photoView(storage, again), submission: await submissionView(db, s.id) };
      await assertStorageQuota(db, graduateOf(req).wechatUserId, bytes.length, config.env.PHOTO_STORAGE_PER_GRADUATE_MB);
      // A file that is not a decodable, allowed image is refused here (422/413) and nothing is stored.
      const { photoId, report } = await storeAndCheck(db, storage, { submissionId: s.id, source: req.query.source, bytes, spec: campaignSpec(s.campaign.photoSpec), quota: { wechatUserId: graduateOf(req).wechatUserId, limitMb: config.env.PHOTO_STORAGE_PER_GRADUATE_MB } });
      if (report.compliant) {
        await db.$transaction((tx) =>
          applyEvent(tx, s.id, { type: "PHOTO_ACCEPTED" }, { type: "GRADUATE", id: graduateOf(req).wechatUserId, ip: req.ip }, { currentPhotoId: photoId }),
        );
      }
      const photo = await db.photo.findUniqueOrThrow({ where: { id: photoId } });
      return { photo: await photoView(storage, photo), submission: await submissionView(db, s.id) };
    },
  );

  app.get(
    "/api/submissions/:id/photos/:photoId",
    { config: { auth: "graduate" }, schema: { tags: ["graduate"], summary: "One of the graduate's photos", security: bearer, params: PhotoParams, response: { 200: PhotoViewSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      const p = await db.photo.findFirst({ where: { id: req.params.photoId, submissionId: s.id } });
      if (!p) throw notFound();
      return photoView(storage, p);
    },
  );

  app.post(
    "/api/submissions/:id/photos/:photoId/standardize",
    {
      config: { auth: "graduate", subjectRateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: {
        tags: ["graduate"],
        summary: "裁剪换背景: at most 3 a day, then a 24-hour cool-down",
        security: bearer,
        params: PhotoParams,
        response: { 200: StandardizeResponseSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 429: ApiErrorSchema, 503: ApiErrorSchema },
      },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      assertConsentCurrent(s);
      const actor = { type: "GRADUATE" as const, id: graduateOf(req).wechatUserId, ip: req.ip };
      // Reserve a quota slot under the submission's row lock: parallel calls at the limit cannot all pass.
      // A photo already standardised (a retry after a lost answer) is answered as it is: the run is
      // deterministic, so a second one would only take another of the day's three. A tap while its run
      // is under way is told to wait.
      const attemptId = await db.$transaction(async (tx) => {
        await lockSubmission(tx, s.id);
        const cur = await tx.submission.findUniqueOrThrow({ where: { id: s.id } });
        if (cur.state !== "PHOTO_CHECKED" && cur.state !== "STANDARDIZED") throw new AppError(409, "STANDARDIZE_NOT_ALLOWED_NOW", "请先上传通过检测的照片", { state: cur.state });
        if (cur.currentPhotoId !== req.params.photoId) throw new AppError(409, "NOT_CURRENT_PHOTO", "只能对最新一张通过检测的照片进行标准化");
        // A photo's attempt row exists while its run is under way and after it succeeded (a run without
        // a result gives it back): one run per photo, whatever the taps.
        const now = new Date();
        const earlier = await tx.standardisationAttempt.findFirst({ where: { submissionId: s.id, photoId: req.params.photoId }, select: { id: true, createdAt: true } });
        if (earlier) {
          const done = await tx.photo.findUnique({ where: { id: req.params.photoId }, select: { standardizedKey: true, compliant: true } });
          if (cur.state === "STANDARDIZED" && done?.standardizedKey && done.compliant) return null;
          // a run takes seconds: one without a result after two minutes died with its process, and
          // was not the graduate's run
          if (now.getTime() - earlier.createdAt.getTime() < STALE_RUN_MS) throw new AppError(409, "STANDARDIZE_IN_PROGRESS", "这张照片正在标准化，请稍候");
          await tx.standardisationAttempt.delete({ where: { id: earlier.id } });
        }
        const recent = await tx.standardisationAttempt.findMany({ where: { submissionId: s.id, createdAt: { gte: new Date(now.getTime() - 3 * 24 * 3600_000) } }, select: { createdAt: true } });
        const quota = standardisationQuota(recent.map((a) => a.createdAt), now);
        if (!quota.allowed) {
          const at = quota.nextAllowedAt!;
          throw new AppError(429, "STANDARDIZE_QUOTA_EXCEEDED", `今日标准化次数已用完，请于${fmt(at)}后再试`, { nextAllowedAt: at.toISOString() });
        }
        const a = await tx.standardisationAttempt.create({ data: { submissionId: s.id, photoId: req.params.photoId, day: new Date(`${shanghaiDay(now)}T00:00:00Z`), createdAt: now } });
        return a.id;
      });
      let o: { width: number; height: number; bytes: number; quality: number; sizeOk: boolean; sizeNote?: string } | undefined;
      if (attemptId === null) {
        const stored = await db.photo.findUniqueOrThrow({ where: { id: req.params.photoId } });
        o = (stored.checkReport as { output?: typeof o } | null)?.output;
      } else {
        // the slot goes back whenever the run did not give the graduate a result: a crash, a service
        // fault, nothing to the spec, or the bookkeeping after a good run failing
        const giveBack = () => db.standardisationAttempt.delete({ where: { id: attemptId } });
        const spec = campaignSpec(s.campaign.photoSpec);
        const { result, keys } = await runStandardize(storage, s.id, req.params.photoId, spec).catch(async (e: unknown) => {
          await giveBack();
          throw e;
        });
        try {
          assertPhotoService(result.report.error);
        } catch (e) {
          await giveBack(); // the photo keeps the report it had
          throw e;
        }
        if (!result.image || !result.report.compliant) {
          // No photo to the spec (nothing produced, or its own output checks failed: layout, chest in
          // frame, file size): give the run back and show the reasons; nothing to submit.
          await giveBack();
          await db.photo.update({
            where: { id: req.params.photoId },
            data: { checkReport: { compliant: false, checks: result.report.checks, error: result.report.error, source: result.report.source, output: result.report.output } as object, compliant: false },
          });
        } else {
          await db
            .$transaction(async (tx) => {
              // a retake uploaded while this ran made another photo current: this one is no longer the
              // graduate's photo, and must not mark the submission standardised
              await lockSubmission(tx, s.id);
              const now = await tx.submission.findUniqueOrThrow({ where: { id: s.id }, select: { currentPhotoId: true } });
              if (now.currentPhotoId !== req.params.photoId) throw new AppError(409, "NOT_CURRENT_PHOTO", "拍摄了新照片，请对最新一张照片进行标准化");
              await tx.photo.update({
                where: { id: req.params.photoId },
                data: { standardizedKey: keys.standard, printKey: keys.print, checkReport: { compliant: result.report.compliant, checks: result.report.checks, source: result.report.source, output: result.report.output } as object, compliant: result.report.compliant },
              });
              await applyEvent(tx, s.id, { type: "STANDARDIZED" }, actor);
            })
            .catch(async (e: unknown) => {
              await giveBack().catch(() => undefined);
              throw e;
            });
        }
        o = result.report.output;
      }
      const view = await submissionView(db, s.id);
      const photo = await db.photo.findUniqueOrThrow({ where: { id: req.params.photoId } });
      return {
        photo: await photoView(storage, photo),
        quota: view.quota,
        output: o ? { width: o.width, height: o.height, bytes: o.bytes, quality: o.quality, sizeOk: o.sizeOk, sizeNote: o.sizeNote } : null,
        submission: view,
      };
    },
  );

  app.post(
    "/api/submissions/:id/submit",
    {
      config: { auth: "graduate" },
      schema: { tags: ["graduate"], summary: "确认提交 the standardised photo", security: bearer, params: Params, body: SubmitRequestSchema, response: { 200: SubmissionViewSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      assertConsentCurrent(s);
      const p = await db.photo.findFirst({ where: { id: req.body.photoId, submissionId: s.id } });
      if (!p) throw notFound();
      if (!p.standardizedKey || s.currentPhotoId !== p.id) throw new AppError(409, "PHOTO_NOT_STANDARDIZED", "请先对最新照片进行标准化后再提交");
      await db.$transaction((tx) =>
        applyEvent(tx, s.id, { type: "SUBMITTED" }, { type: "GRADUATE", id: graduateOf(req).wechatUserId, ip: req.ip }, { submittedPhotoId: p.id, submittedAt: new Date() }),
      );
      return submissionView(db, s.id);
    },
  );

  app.get(
    "/api/submissions/:id/admission-photo",
    { config: { auth: "graduate" }, schema: { tags: ["graduate"], summary: "The roster's 录取照片 for confirmation", security: bearer, params: Params, response: { 200: AdmissionPhotoSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      const r = s.rosterEntryId ? await db.rosterEntry.findUnique({ where: { id: s.rosterEntryId } }) : null;
      if (!r) throw notFound();
      const present = r.admissionPhotoStatus === "PRESENT" && r.admissionPhotoKey;
      return {
        status: present ? ("PRESENT" as const) : r.admissionPhotoStatus === "DISPUTED" ? ("DISPUTED" as const) : ("MISSING" as const),
        url: present ? await storage.signedUrl(r.admissionPhotoKey!, { expiresInSeconds: 600 }) : null,
        registrarContact: s.campaign.registrarContact,
      };
    },
  );
};

/** A new 温馨提示 version must be accepted before any further step. */
export function assertConsentCurrent(s: { consentVersion: number | null; campaign: { consentVersion: number } }): void {
  if (s.consentVersion !== s.campaign.consentVersion) throw new AppError(409, "CONSENT_REQUIRED", "温馨提示已更新，请重新阅读并同意后继续");
}

function fmt(d: Date): string {
  return d.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false, month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
}
