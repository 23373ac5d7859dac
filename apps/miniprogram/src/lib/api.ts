import { ApiCore, ApiRequestError, GraduateApi, GraduateDevApi } from "@gradphoto/api-client";
import { API_BASE } from "./env";
import { platformTransport } from "./transport";

const core = new ApiCore(platformTransport(API_BASE));

/** The typed client for every graduate route (schemas from @gradphoto/contracts). */
export const api = new GraduateApi(core);
/** Development-only routes (used only when DEV_SIMULATION is true). */
export const devApi = new GraduateDevApi(core);

export { ApiRequestError };

/** The message to show for any failure: the API's Chinese message, or a generic one. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiRequestError) return e.message;
  const msg = (e as { errMsg?: string } | null)?.errMsg;
  if (msg && /cancel/i.test(msg)) return "操作已取消";
  return "出现了一点问题，请稍后重试";
}

/** The school published a new 温馨提示 since the graduate agreed: every step waits for a new consent. */
export function isConsentRequired(e: unknown): boolean {
  return e instanceof ApiRequestError && e.code === "CONSENT_REQUIRED";
}

export function isAuthError(e: unknown): boolean {
  return e instanceof ApiRequestError && e.status === 401;
}

/** User closed a WeChat dialog (chooseMedia, scanCode, requestPayment…). */
export function isCancel(e: unknown): boolean {
  const msg = (e as { errMsg?: string } | null)?.errMsg ?? "";
  return /cancel/i.test(msg);
}
