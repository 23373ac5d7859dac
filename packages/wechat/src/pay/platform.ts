import { X509Certificate, type KeyObject } from "node:crypto";
import { WechatError } from "../errors.js";
import { loadPublicKey } from "./crypto.js";

/**
 * How WeChat Pay's answers and callbacks are verified.
 * - "certificate": 平台证书 mode. `Wechatpay-Serial` is a certificate serial number; the map holds
 *   the certificates (PEM) by serial (from /v3/certificates or the merchant platform).
 * - "publicKey": 微信支付公钥 mode (merchants opened since late 2024 only have this).
 *   `Wechatpay-Serial` is the public key ID "PUB_KEY_ID_…"; requests send it in `Wechatpay-Serial`
 *   so WeChat Pay signs its answers with that key.
 * - "both": during a migration from certificates to the public key, callbacks can come in either mode.
 */
export type PlatformConfig =
  | { mode: "certificate"; certificates: ReadonlyMap<string, string> | Readonly<Record<string, string>> }
  | { mode: "publicKey"; publicKeyId: string; publicKeyPem: string }
  | {
      mode: "both";
      certificates: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
      publicKeyId: string;
      publicKeyPem: string;
    };

export interface PlatformKey {
  key: KeyObject;
  kind: "certificate" | "publicKey";
  serial: string;
  /** Certificate expiry (ms), certificate mode only. */
  notAfterMs?: number;
}

/** Upper-case hex serial without leading zero bytes: how Node and WeChat print certificate serials. */
export function normalizeSerial(serial: string): string {
  const s = serial.trim().toUpperCase();
  if (s.startsWith("PUB_KEY_ID_")) return s;
  return s.replace(/^(00)+(?=[0-9A-F]{2})/, "");
}

/** The serial number of a PEM certificate (as WeChat Pay writes it in `Wechatpay-Serial`). */
export function certificateSerial(certPem: string): string {
  return normalizeSerial(new X509Certificate(certPem).serialNumber);
}

export class PlatformKeys {
  private readonly keys = new Map<string, PlatformKey>();
  /** Sent as `Wechatpay-Serial` on requests when a public key is configured. */
  readonly publicKeyId: string | undefined;
  readonly mode: PlatformConfig["mode"];

  constructor(config: PlatformConfig) {
    this.mode = config.mode;
    if (config.mode === "certificate" || config.mode === "both") {
      const entries =
        config.certificates instanceof Map
          ? [...(config.certificates as ReadonlyMap<string, string>).entries()]
          : Object.entries(config.certificates as Readonly<Record<string, string>>);
      if (entries.length === 0) throw configError("platform.certificates is empty");
      for (const [serial, pem] of entries) {
        let cert: X509Certificate;
        try {
          cert = new X509Certificate(pem);
        } catch (e) {
          throw configError(`platform certificate ${serial} is not a PEM certificate`, e);
        }
        const actual = normalizeSerial(cert.serialNumber);
        if (actual !== normalizeSerial(serial)) {
          throw configError(`platform certificate configured as ${serial} has serial ${actual}`);
        }
        this.keys.set(actual, { key: cert.publicKey, kind: "certificate", serial: actual, notAfterMs: Date.parse(cert.validTo) });
      }
    }
    if (config.mode === "publicKey" || config.mode === "both") {
      if (!/^PUB_KEY_ID_[0-9A-Za-z]+$/.test(config.publicKeyId)) {
        throw configError(`publicKeyId must look like PUB_KEY_ID_0114…, got ${JSON.stringify(config.publicKeyId)}`);
      }
      let key: KeyObject;
      try {
        key = loadPublicKey(config.publicKeyPem);
      } catch (e) {
        throw configError("platform publicKeyPem is not a PEM public key", e);
      }
      if (key.asymmetricKeyType !== "rsa") throw configError("platform public key is not RSA");
      const id = normalizeSerial(config.publicKeyId);
      this.keys.set(id, { key, kind: "publicKey", serial: id });
      this.publicKeyId = config.publicKeyId;
    }
  }

  /** The key for a `Wechatpay-Serial` value, or undefined when it is unknown (or its certificate expired). */
  keyFor(serial: string, nowMs: number): PlatformKey | undefined {
    const k = this.keys.get(normalizeSerial(serial));
    if (!k) return undefined;
    if (k.notAfterMs !== undefined && Number.isFinite(k.notAfterMs) && nowMs > k.notAfterMs) return undefined;
    return k;
  }

  serials(): string[] {
    return [...this.keys.keys()];
  }
}

function configError(detail: string, cause?: unknown): WechatError {
  return new WechatError("WECHAT_CONFIG_INVALID", { detail, ...(cause !== undefined ? { cause } : {}) });
}
