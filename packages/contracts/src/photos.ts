import { z } from "zod";
import { QuotaSchema, SubmissionViewSchema } from "./journey.js";

export const PhotoCheckSchema = z
  .object({
    id: z.string(),
    passed: z.boolean(),
    severity: z.enum(["error", "warning"]),
    message: z.string().describe("what to fix, in Chinese"),
    value: z.unknown().optional(),
    threshold: z.unknown().optional(),
  })
  .meta({ id: "PhotoCheck" });

/** A spot a check found (e.g. a suspected earring), marked on an image: fractions of its width and height. */
export const PhotoMarkSchema = z
  .object({
    check: z.string().describe("the check that marked it, e.g. no_accessories"),
    x: z.number().describe("centre, fraction of the image width (0–1)"),
    y: z.number().describe("centre, fraction of the image height (0–1)"),
    r: z.number().describe("radius, fraction of the image width"),
    aspect: z.number().describe("the image's height ÷ width, to place the mark before the image loads"),
    label: z.string().describe("what is marked, in Chinese"),
  })
  .meta({ id: "PhotoMark" });
export type PhotoMark = z.infer<typeof PhotoMarkSchema>;

export const PhotoViewSchema = z
  .object({
    id: z.string().uuid(),
    source: z.enum(["CAMERA", "ALBUM"]),
    compliant: z.boolean().nullable(),
    checks: z.array(PhotoCheckSchema),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    originalUrl: z.string().url(),
    standardizedUrl: z.string().url().nullable(),
    marks: z.array(PhotoMarkSchema).describe("spots failed checks found, on the photo as uploaded (originalUrl)"),
    createdAt: z.string().datetime(),
  })
  .meta({ id: "Photo" });
export type PhotoView = z.infer<typeof PhotoViewSchema>;

export const PhotoUploadResponseSchema = z.object({ photo: PhotoViewSchema, submission: SubmissionViewSchema }).meta({ id: "PhotoUploadResponse" });

export const StandardizeResponseSchema = z
  .object({
    photo: PhotoViewSchema,
    quota: QuotaSchema,
    output: z
      .object({ width: z.number(), height: z.number(), bytes: z.number(), quality: z.number(), sizeOk: z.boolean(), sizeNote: z.string().optional() })
      .nullable(),
    submission: SubmissionViewSchema,
  })
  .meta({ id: "StandardizeResponse" });

export const SubmitRequestSchema = z.object({ photoId: z.string().uuid() }).meta({ id: "SubmitRequest" });

export const AdmissionPhotoSchema = z
  .object({
    status: z.enum(["MISSING", "PRESENT", "DISPUTED"]),
    url: z.string().url().nullable(),
    registrarContact: z.string(),
  })
  .meta({ id: "AdmissionPhoto" });

export const DisputeRequestSchema = z.object({ note: z.string().trim().max(500).default("") }).meta({ id: "DisputeRequest" });

export const ComparisonViewSchema = z
  .object({
    score: z.number().nullable(),
    threshold: z.number(),
    passed: z.boolean(),
    qualifying: z.boolean().describe("counts toward the 3 failures that open the manual pass"),
    qualifyingFailures: z.number().int(),
    message: z.string(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    repeatOf: z
      .enum(["SAME_FILE", "SAME_PICTURE", "SAME_CAPTURE"])
      .nullable()
      .describe("the photo repeats an earlier failed one (same file, same picture re-encoded/resized, or a near-identical capture); it does not count toward the manual pass"),
    referral: z
      .object({ reason: z.literal("LOW_QUALITY_REFERENCE"), message: z.string() })
      .nullable()
      .optional()
      .describe("under 80 against a low-quality admission photo: sent to the school's review, not counted as the graduate's failure"),
  })
  .meta({ id: "Comparison" });

export const CompareResponseSchema = z.object({ comparison: ComparisonViewSchema, submission: SubmissionViewSchema }).meta({ id: "CompareResponse" });

/** POST /api/submissions/:id/photo-precheck: the quality check on a photo before paying; nothing is kept. */
export const PhotoPrecheckResponseSchema = z
  .object({
    compliant: z.boolean(),
    checks: z.array(PhotoCheckSchema),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    usedToday: z.number().int(),
    remainingToday: z.number().int(),
    limitPerDay: z.number().int(),
  })
  .meta({ id: "PhotoPrecheckResponse" });
export type PhotoPrecheckResponse = z.infer<typeof PhotoPrecheckResponseSchema>;
