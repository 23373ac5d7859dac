import { z } from "zod";
import { SubmissionViewSchema } from "./journey.js";

export const ScanCodeRequestSchema = z
  .object({ text: z.string().min(1).max(8192).describe("QR text from wx.scanCode / Taro.scanCode") })
  .meta({ id: "ScanCodeRequest" });

export const CodePreviewSchema = z
  .object({
    codeToken: z.string().describe("pass back to /capture-code/confirm within 10 minutes"),
    fields: z.object({
      uniqueNumber: z.string(),
      maskedName: z.string(),
      maskedIdNumber: z.string(),
      schoolCode: z.string(),
      schoolName: z.string(),
      degreeLevel: z.string().optional(),
    }),
    rosterEntry: z.object({ name: z.string(), idNumberMasked: z.string(), college: z.string(), major: z.string(), degreeLevel: z.string() }),
    consistent: z.object({ name: z.boolean(), idNumber: z.boolean() }),
  })
  .meta({ id: "CodePreview" });

export const ConfirmCodeRequestSchema = z.object({ codeToken: z.string().min(10).max(20000) }).meta({ id: "ConfirmCodeRequest" });
export const ConfirmCodeResponseSchema = z.object({ submission: SubmissionViewSchema }).meta({ id: "ConfirmCodeResponse" });
