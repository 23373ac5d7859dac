import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import relativeTime from "dayjs/plugin/relativeTime";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
import type { Dayjs } from "dayjs";

dayjs.extend(relativeTime);
dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale("zh-cn");

export { dayjs };

/**
 * Every time in the console is China time (Asia/Shanghai), like the H5 app and the exports,
 * whatever time zone the staff member's computer is set to.
 */
export const CHINA_TZ = "Asia/Shanghai";
export const china = (iso: string | Date): Dayjs => dayjs(iso).tz(CHINA_TZ);
/** Formats an instant in China time ("MM-DD HH:mm" etc.). */
export const chinaFormat = (iso: string | Date, fmt: string): string => china(iso).format(fmt);
/**
 * Date pickers work in the browser's zone: show an instant as a picker value whose wall-clock
 * time is China time, and read a picked wall-clock time back as China time.
 */
export const toPicker = (iso: string | Date): Dayjs => dayjs(china(iso).format("YYYY-MM-DDTHH:mm:ss.SSS"));
export const fromPicker = (d: Dayjs): Dayjs => dayjs.tz(d.format("YYYY-MM-DDTHH:mm:ss.SSS"), CHINA_TZ);
/** Now, as a picker value (China wall-clock time). */
export const pickerNow = (): Dayjs => toPicker(new Date());

export const yuan = (fen: number | null | undefined): string => (fen === null || fen === undefined ? "—" : `¥${(fen / 100).toFixed(2)}`);
export const dateTime = (iso: string | null | undefined): string => (iso ? chinaFormat(iso, "YYYY-MM-DD HH:mm") : "—");
export const dateTimeSec = (iso: string | null | undefined): string => (iso ? chinaFormat(iso, "YYYY-MM-DD HH:mm:ss") : "—");
export const date = (iso: string | null | undefined): string => (iso ? chinaFormat(iso, "YYYY-MM-DD") : "—");
export const fromNow = (iso: string | null | undefined): string => (iso ? dayjs(iso).fromNow() : "—");

export const ROLE_LABELS: Record<string, string> = {
  OPERATOR: "平台运维",
  SCHOOL_ADMIN: "学校管理员",
  REVIEWER: "审核员",
  CUSTOMER_SERVICE: "客服",
};

export const STATE_LABELS: Record<string, string> = {
  NEW: "待阅读温馨提示",
  CONSENTED: "待上传采集码",
  CODE_BOUND: "待支付",
  PAID: "待拍摄照片",
  PHOTO_CHECKED: "待标准化",
  STANDARDIZED: "待确认提交",
  SUBMITTED: "待确认录取照片",
  ADMISSION_CONFIRMED: "待人像比对",
  ADMISSION_DISPUTED: "录取照片有异议",
  COMPARE_BLOCKED: "比对未通过",
  NEEDS_MANUAL_PASS: "待客服人工通过",
  REVIEWING: "审核中",
  APPROVED: "审核通过",
  REJECTED: "审核未通过",
};

export const STATE_COLORS: Record<string, string> = {
  NEW: "default",
  CONSENTED: "default",
  CODE_BOUND: "gold",
  PAID: "blue",
  PHOTO_CHECKED: "blue",
  STANDARDIZED: "blue",
  SUBMITTED: "cyan",
  ADMISSION_CONFIRMED: "cyan",
  ADMISSION_DISPUTED: "volcano",
  COMPARE_BLOCKED: "orange",
  NEEDS_MANUAL_PASS: "red",
  REVIEWING: "purple",
  APPROVED: "green",
  REJECTED: "magenta",
};

export const ORDER_STATUS: Record<string, { label: string; color: string }> = {
  CREATED: { label: "待支付", color: "gold" },
  PAID: { label: "已支付", color: "green" },
  CLOSED: { label: "已关闭", color: "default" },
  REFUNDING: { label: "退款中", color: "processing" },
  PARTIALLY_REFUNDED: { label: "部分退款", color: "orange" },
  REFUNDED: { label: "已退款", color: "purple" },
};

export const RECONCILIATION_COLORS: Record<string, string> = {
  MATCHED: "success",
  AWAITING_PAYMENT: "default",
  NEEDS_QUERY: "warning",
  MISMATCH: "error",
  REFUNDING: "processing",
  REFUND_ABNORMAL: "error",
  CLOSED: "default",
  UNEXPECTED_PAYMENT: "error",
};

export const TASK_STATUS: Record<string, { label: string; color: string }> = {
  QUEUED: { label: "排队中", color: "default" },
  RUNNING: { label: "进行中", color: "processing" },
  DONE: { label: "已完成", color: "success" },
  FAILED: { label: "失败", color: "error" },
};

export const CAMPAIGN_STATUS: Record<string, { label: string; color: string }> = {
  DRAFT: { label: "草稿", color: "default" },
  OPEN: { label: "进行中", color: "green" },
  CLOSED: { label: "已结束", color: "default" },
};

export const ADMISSION_STATUS: Record<string, { label: string; color: string }> = {
  PRESENT: { label: "已上传", color: "green" },
  MISSING: { label: "缺失", color: "orange" },
  DISPUTED: { label: "有异议", color: "red" },
};

/** Readable names of audit actions (unknown ones are shown as is). */
export const ACTION_LABELS: Record<string, string> = {
  "staff.login": "登录",
  "staff.login_failed": "登录失败",
  "staff.locked": "账号锁定",
  "staff.created": "创建账号",
  "staff.updated": "修改账号",
  "staff.disabled": "停用账号",
  "staff.unlocked": "解锁账号",
  "staff.password_reset": "重置密码",
  "school.created": "新增学校",
  "campaign.created": "创建活动",
  "campaign.updated": "修改活动",
  "campaign.deleted": "删除活动",
  "campaign.consent_published": "发布温馨提示新版本",
  "roster.import_uploaded": "上传名单",
  "roster.import_confirmed": "确认导入名单",
  "roster.imported": "名单导入完成",
  "roster.admission_zip_uploaded": "上传录取照片包",
  "roster.admission_photos_imported": "录取照片导入完成",
  "roster.admission_photo_replaced": "更换录取照片",
  "capture_code.demo_issued": "生成演示采集码",
  "capture_code.revoked": "解绑采集码",
  "rejection_reason.created": "新增驳回理由",
  "rejection_reason.updated": "修改驳回理由",
  "rejection_reason.deleted": "删除驳回理由",
  "graduate.history_viewed": "查看毕业生记录",
  "order.refund_requested": "申请退款",
  "order.reconciled": "查单对账",
  "export.requested": "发起导出",
  "export.completed": "导出完成",
  "export.link_issued": "获取下载链接",
  "submission.review_approved": "审核通过",
  "submission.review_rejected": "审核未通过",
  "submission.manual_pass": "客服人工通过",
  "submission.dispute_resolved": "录取照片异议已解决",
  "submission.code_unbound": "采集码解绑",
  "payment.amount_mismatch": "支付金额不符",
  "payment.notify_rejected": "拒收伪造/过期支付通知",
  "submission.consent_accepted": "同意温馨提示",
  "submission.code_bound": "绑定采集码",
  "submission.payment_confirmed": "支付成功",
  "submission.payment_exempted": "免支付（学校统一支付）",
  "submission.payment_refunded": "退款后回到待支付",
  "submission.photo_accepted": "照片检测通过",
  "submission.standardized": "完成标准化",
  "submission.submitted": "提交照片",
  "submission.admission_confirmed": "确认录取照片",
  "submission.admission_disputed": "对录取照片提出异议",
  "submission.comparison_passed": "人像比对通过",
  "submission.comparison_failed": "人像比对未通过",
  "submission.retake_started": "开始重拍",
};

export const actionLabel = (a: string): string => ACTION_LABELS[a] ?? a;

export const CHECK_LABELS: Record<string, string> = {
  album_input: "相册照片规格",
  single_face: "单人正脸",
  face_resolution: "人脸清晰度",
  face_in_frame: "人脸完整",
  hair_in_frame: "头发完整",
  frontal: "正面",
  eyes_level: "双眼水平",
  eyes_open: "睁眼",
  eyes_visible: "眼睛无遮挡",
  ears_visible: "露出双耳",
  no_tinted_glasses: "无有色眼镜",
  no_hat: "未戴帽子",
  face_unoccluded: "面部无遮挡",
  mouth_closed: "闭嘴",
  no_accessories: "无饰物",
  natural_expression: "表情自然",
  even_lighting: "光线均匀",
  exposure: "曝光正常",
  no_highlights: "无反光",
  colour: "彩色照片",
  sharp: "清晰不模糊",
  not_rephotographed: "非翻拍",
  shoulders_level: "双肩水平",
  clothes_contrast: "衣服与背景区分",
  chest_in_frame: "含肩部",
  sides_in_frame: "两侧完整",
  output_geometry: "尺寸与构图",
  output_file_size: "文件大小",
};
