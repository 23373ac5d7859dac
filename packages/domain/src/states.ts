/** The graduate's submission states, in the order of the school's flow. Mirrors the DB enum. */
export const SUBMISSION_STATES = [
  "NEW",
  "CONSENTED",
  "CODE_BOUND",
  "PAID",
  "PHOTO_CHECKED",
  "STANDARDIZED",
  "SUBMITTED",
  "ADMISSION_CONFIRMED",
  "ADMISSION_DISPUTED",
  "COMPARE_BLOCKED",
  "NEEDS_MANUAL_PASS",
  "REVIEWING",
  "APPROVED",
  "REJECTED",
] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];

/** What the graduate sees for each state (短句, shown in the mini-program and admin). */
export const STATE_LABELS: Record<SubmissionState, string> = {
  NEW: "待阅读温馨提示",
  CONSENTED: "待上传采集码",
  CODE_BOUND: "待支付",
  PAID: "待拍摄照片",
  PHOTO_CHECKED: "照片检测通过，待标准化",
  STANDARDIZED: "待确认提交",
  SUBMITTED: "待确认录取照片",
  ADMISSION_CONFIRMED: "待人像比对",
  ADMISSION_DISPUTED: "录取照片有误或缺失，请联系学籍部门",
  COMPARE_BLOCKED: "比对未通过，请更换其他照片上传比对",
  NEEDS_MANUAL_PASS: "比对多次未通过，请联系客服",
  REVIEWING: "审核中",
  APPROVED: "审核通过",
  REJECTED: "审核未通过",
};
