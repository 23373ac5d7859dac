import { z } from "zod";

/** A masked value keeps some characters and hides the rest with `*` (学信网 masks name and ID). */
const masked = (max: number) =>
  z
    .string()
    .trim()
    .min(2)
    .max(max)
    .refine((s) => s.includes("*"), { message: "must be masked with *" });

/** Fields a provider reads from a 采集码 (names as in the issue; all masked where 学信网 masks). */
export const CaptureCodeFieldsSchema = z.object({
  /** 学信网唯一编号 */
  uniqueNumber: z.string().trim().regex(/^[0-9A-Za-z]{6,40}$/, "unique number: 6–40 letters or digits"),
  /** e.g. 张*明 */
  maskedName: masked(64),
  /** e.g. 1201**********123X */
  maskedIdNumber: masked(40),
  /** 院校代码, e.g. 10055 */
  schoolCode: z.string().trim().regex(/^[0-9A-Za-z]{4,10}$/, "school code: 4–10 letters or digits"),
  schoolName: z.string().trim().min(1).max(100),
  /** 学历层次, e.g. 本科, 硕士研究生 */
  degreeLevel: z.string().trim().min(1).max(32).optional(),
  /** e.g. 2025 (届) */
  graduationYear: z.number().int().min(1990).max(2100).optional(),
});
export type CaptureCodeFields = z.infer<typeof CaptureCodeFieldsSchema>;

export interface DecodeContext {
  /** The campaign's school code, passed to services that want a hint. */
  schoolCode?: string;
  signal?: AbortSignal;
}

/** Turns the raw QR text into fields. Throws CaptureCodeError (CODE_INVALID, PROVIDER_*). */
export interface CaptureCodeProvider {
  /** "demo", "http", … (stored in `capture_codes.provider`) */
  readonly name: string;
  decode(raw: string, ctx?: DecodeContext): Promise<CaptureCodeFields>;
}
