import Taro from "@tarojs/taro";
import type { CampaignPublic, CreateOrderResponse } from "@gradphoto/api-client";
import { api, devApi } from "./api";
import { DEV_SIMULATION, IS_WEAPP } from "./env";
import { session } from "./session";

export { phoneIn } from "./format";

/** wx.login → our session token. Development H5 builds ask the fake WeChat (via the API) for a code. */
export async function login(): Promise<void> {
  let code: string;
  let openid: string | null = null;
  if (IS_WEAPP) {
    code = (await Taro.login()).code;
  } else if (DEV_SIMULATION) {
    const r = await devApi.loginCode(session.get().openid ?? undefined);
    code = r.code;
    openid = r.openid;
  } else {
    throw Object.assign(new Error("no login"), { errMsg: "请在微信中打开小程序完成登录" });
  }
  const r = await api.login({ code });
  session.set({ token: r.token, openid });
}

/** The 订阅消息 templates of the campaign (at most 3 per request). */
export function templateIds(c: CampaignPublic | null): string[] {
  if (!c) return [];
  return [c.notifyTemplates.reviewPassed, c.notifyTemplates.reviewRejected].filter((x): x is string => Boolean(x)).slice(0, 3);
}

/**
 * Asks for the one-time 订阅消息 (审核结果通知). Must be called directly in a tap handler, before any
 * await. Never fails: a refusal only means no WeChat notice, the status page still shows the result.
 */
export async function requestSubscriptions(c: CampaignPublic | null): Promise<string[]> {
  const ids = templateIds(c);
  if (!ids.length) return [];
  let accepted: string[] = [];
  let rejected: string[] = [];
  try {
    if (IS_WEAPP) {
      // WeChat takes tmplIds only: entityIds is Alipay's (Taro's type wrongly requires it; WeChat's typings reject it)
      const r = (await Taro.requestSubscribeMessage({ tmplIds: ids } as Parameters<typeof Taro.requestSubscribeMessage>[0])) as unknown as Record<string, string>;
      accepted = ids.filter((id) => r[id] === "accept");
      rejected = ids.filter((id) => r[id] !== "accept");
    } else if (DEV_SIMULATION) {
      // Stand-in for WeChat's subscription dialog, clearly marked as simulated.
      const r = await Taro.showModal({
        title: "订阅审核结果通知（开发环境模拟）",
        content: "「毕业照片采集」想在审核完成后给你发送一次微信通知：审核通过 / 审核未通过。",
        confirmText: "允许",
        cancelText: "拒绝",
      });
      if (r.confirm) {
        const openid = session.get().openid;
        if (openid) for (const id of ids) await devApi.subscribe(openid, id);
        accepted = ids;
      } else rejected = ids;
    }
    if (accepted.length || rejected.length) await api.recordSubscriptions({ accepted, rejected });
  } catch (e) {
    // The main switch is off (20004) or the dialog failed: carry on without notices.
    console.warn("requestSubscribeMessage", e);
  }
  return accepted;
}

/** wx.requestPayment with the server's signed parameters. Resolves when WeChat says it is paid. */
export async function pay(order: CreateOrderResponse): Promise<void> {
  const p = order.payment;
  await Taro.requestPayment({ timeStamp: p.timeStamp, nonceStr: p.nonceStr, package: p.package, signType: p.signType, paySign: p.paySign } as Parameters<typeof Taro.requestPayment>[0]);
}

/** wx.scanCode: the 采集码's text (camera or an album image). */
export async function scanQr(): Promise<string> {
  const r = await Taro.scanCode({ onlyFromCamera: false, scanType: ["qrCode"] });
  return r.result;
}

export function call(phone: string): void {
  void Taro.makePhoneCall({ phoneNumber: phone.replace(/[^\d+]/g, "") }).catch(() => undefined);
}
