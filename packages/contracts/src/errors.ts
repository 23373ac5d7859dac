import { z } from "zod";

/** The one error shape every endpoint returns: stable `code`, Chinese `message` for users. */
export const ApiErrorSchema = z
  .object({
    code: z.string().describe("stable machine-readable code, e.g. VALIDATION_FAILED"),
    message: z.string().describe("Chinese message that can be shown to the user"),
    details: z.unknown().optional(),
  })
  .meta({ id: "ApiError" });
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** Codes shared by every route. Feature codes (SCHOOL_MISMATCH, QUOTA_EXCEEDED, …) live with their features. */
export const COMMON_ERRORS = {
  VALIDATION_FAILED: "请求参数有误，请检查后重试",
  UNAUTHENTICATED: "请先登录",
  SESSION_EXPIRED: "登录已过期，请重新登录",
  FORBIDDEN: "没有权限执行该操作",
  NOT_FOUND: "请求的内容不存在",
  CONFLICT: "当前状态不能执行该操作",
  RATE_LIMITED: "操作过于频繁，请稍后再试",
  PAYLOAD_TOO_LARGE: "上传的文件过大",
  INTERNAL: "服务器开小差了，请稍后再试",
  UNAVAILABLE: "服务暂时不可用，请稍后再试",
} as const;
export type CommonErrorCode = keyof typeof COMMON_ERRORS;
