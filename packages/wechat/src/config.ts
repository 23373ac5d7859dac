import { readFileSync } from "node:fs";
import { WechatError } from "./errors.js";
import type { MiniProgramClientOptions } from "./mini-program.js";
import type { WechatPayClientOptions } from "./pay/client.js";
import { certificateSerial, type PlatformConfig } from "./pay/platform.js";

/**
 * Client options from environment variables (names in docs/wechat.md). Every secret can be given
 * inline (`NAME`) or as a file path (`NAME_FILE`, e.g. a mounted secret); inline PEMs may use "\n"
 * escapes. Returns undefined when the feature is not configured at all (no WECHAT_APPID / WXPAY_MCHID)
 * and throws WECHAT_CONFIG_INVALID naming the missing variables when it is half configured.
 */
type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const inline = env[name];
  if (inline !== undefined && inline !== "") return inline.includes("\\n") ? inline.replace(/\\n/g, "\n") : inline;
  const file = env[`${name}_FILE`];
  if (file !== undefined && file !== "") {
    try {
      return readFileSync(file, "utf8");
    } catch (e) {
      throw new WechatError("WECHAT_CONFIG_INVALID", { detail: `${name}_FILE ${file} cannot be read`, cause: e });
    }
  }
  return undefined;
}

export function miniProgramOptionsFromEnv(env: Env = process.env): MiniProgramClientOptions | undefined {
  const appId = value(env, "WECHAT_APPID");
  if (!appId) return undefined;
  const appSecret = value(env, "WECHAT_SECRET")?.trim();
  if (!appSecret) throw new WechatError("WECHAT_CONFIG_INVALID", { detail: "WECHAT_APPID is set but WECHAT_SECRET(_FILE) is not" });
  const baseUrl = value(env, "WECHAT_API_BASE");
  return { appId: appId.trim(), appSecret, ...(baseUrl ? { baseUrl } : {}) };
}

export function wechatPayOptionsFromEnv(env: Env = process.env): WechatPayClientOptions | undefined {
  const mchId = value(env, "WXPAY_MCHID");
  if (!mchId) return undefined;
  const appId = value(env, "WXPAY_APPID") ?? value(env, "WECHAT_APPID");
  const merchantSerialNo = value(env, "WXPAY_SERIAL_NO");
  const merchantPrivateKeyPem = value(env, "WXPAY_PRIVATE_KEY");
  const apiV3Key = value(env, "WXPAY_APIV3_KEY")?.trim();
  const notifyUrl = value(env, "WXPAY_NOTIFY_URL");
  const certPems = value(env, "WXPAY_PLATFORM_CERT");
  const publicKeyId = value(env, "WXPAY_PUBLIC_KEY_ID")?.trim();
  const publicKeyPem = value(env, "WXPAY_PUBLIC_KEY");

  const missing: string[] = [];
  if (!appId) missing.push("WXPAY_APPID or WECHAT_APPID");
  if (!merchantSerialNo) missing.push("WXPAY_SERIAL_NO");
  if (!merchantPrivateKeyPem) missing.push("WXPAY_PRIVATE_KEY(_FILE)");
  if (!apiV3Key) missing.push("WXPAY_APIV3_KEY(_FILE)");
  if (!notifyUrl) missing.push("WXPAY_NOTIFY_URL");
  if (!certPems && !(publicKeyId && publicKeyPem)) {
    missing.push("WXPAY_PLATFORM_CERT(_FILE) or WXPAY_PUBLIC_KEY_ID + WXPAY_PUBLIC_KEY(_FILE)");
  }
  if (missing.length > 0 || !appId || !merchantSerialNo || !merchantPrivateKeyPem || !apiV3Key || !notifyUrl) {
    throw new WechatError("WECHAT_CONFIG_INVALID", { detail: `WXPAY_MCHID is set but missing: ${missing.join("; ")}` });
  }

  let platform: PlatformConfig;
  const certificates = certPems ? certificatesFromPem(certPems) : undefined;
  if (certificates && publicKeyId && publicKeyPem) platform = { mode: "both", certificates, publicKeyId, publicKeyPem };
  else if (certificates) platform = { mode: "certificate", certificates };
  else platform = { mode: "publicKey", publicKeyId: publicKeyId!, publicKeyPem: publicKeyPem! };

  const baseUrl = value(env, "WXPAY_API_BASE");
  const refundNotifyUrl = value(env, "WXPAY_REFUND_NOTIFY_URL");
  return {
    mchId: mchId.trim(),
    appId: appId.trim(),
    merchantSerialNo: merchantSerialNo.trim(),
    merchantPrivateKeyPem,
    apiV3Key,
    platform,
    notifyUrl: notifyUrl.trim(),
    ...(refundNotifyUrl ? { refundNotifyUrl: refundNotifyUrl.trim() } : {}),
    ...(baseUrl ? { baseUrl: baseUrl.trim() } : {}),
  };
}

/** One or more concatenated PEM certificates → Map<serial, pem>. */
export function certificatesFromPem(pems: string): Map<string, string> {
  const blocks = pems.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new WechatError("WECHAT_CONFIG_INVALID", { detail: "WXPAY_PLATFORM_CERT holds no PEM certificate" });
  const map = new Map<string, string>();
  for (const pem of blocks) {
    try {
      map.set(certificateSerial(pem), pem + "\n");
    } catch (e) {
      throw new WechatError("WECHAT_CONFIG_INVALID", { detail: "WXPAY_PLATFORM_CERT holds an unreadable certificate", cause: e });
    }
  }
  return map;
}
