import type { Submission } from "@gradphoto/api-client";

// Pure data about the flow (no Taro import, so unit tests run it in Node).

/** Every page of the app (app.config.ts lists the same paths). */
export const PAGES = {
  home: "pages/index/index",
  login: "pages/login/index",
  notice: "pages/notice/index",
  code: "pages/code/index",
  codeConfirm: "pages/code-confirm/index",
  pay: "pages/pay/index",
  paySuccess: "pages/pay-success/index",
  devPay: "pages/dev-pay/index",
  guide: "pages/guide/index",
  permission: "pages/permission/index",
  capture: "pages/capture/index",
  check: "pages/check/index",
  standardize: "pages/standardize/index",
  submit: "pages/submit/index",
  admission: "pages/admission/index",
  compare: "pages/compare/index",
  status: "pages/status/index",
  contact: "pages/contact/index",
} as const;
export type PageKey = keyof typeof PAGES;

/** The five phases shown at the top of every step. */
export const PHASES = ["登录须知", "采集码", "费用", "拍摄照片", "比对审核"] as const;

/** Step titles and their phase (index into PHASES). */
export const STEPS: Record<Exclude<PageKey, "home" | "contact" | "devPay">, { title: string; phase: number }> = {
  login: { title: "授权登录", phase: 0 },
  notice: { title: "温馨提示", phase: 0 },
  code: { title: "上传采集码", phase: 1 },
  codeConfirm: { title: "确认信息", phase: 1 },
  pay: { title: "费用支付", phase: 2 },
  paySuccess: { title: "支付成功", phase: 2 },
  guide: { title: "拍照说明", phase: 3 },
  permission: { title: "摄像头权限", phase: 3 },
  capture: { title: "拍摄照片", phase: 3 },
  check: { title: "照片质量检测", phase: 3 },
  standardize: { title: "照片标准化", phase: 3 },
  submit: { title: "确认提交", phase: 3 },
  admission: { title: "确认录取照片", phase: 4 },
  compare: { title: "人像比对结果", phase: 4 },
  status: { title: "审核状态", phase: 4 },
};

/** Where a graduate in this state continues. */
export function pageFor(s: Submission): PageKey {
  if (s.state === "NEW" || !s.consentCurrent) return "notice";
  switch (s.state) {
    case "CONSENTED":
      return "code";
    case "CODE_BOUND":
      return "pay";
    case "PAID":
      return "guide";
    case "PHOTO_CHECKED":
      return "standardize";
    case "STANDARDIZED":
      return "submit";
    case "SUBMITTED":
    case "ADMISSION_CONFIRMED":
      return "admission";
    case "COMPARE_BLOCKED":
    case "NEEDS_MANUAL_PASS":
      return "compare";
    default:
      return "status";
  }
}
