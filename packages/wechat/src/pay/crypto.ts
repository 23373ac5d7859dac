import {
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";

/**
 * WeChat Pay API v3 cryptography with Node `crypto` only:
 * - request signature: SHA256withRSA (PKCS#1 v1.5) over "METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n"
 * - response / notify signature: SHA256withRSA over "timestamp\nnonce\nbody\n" (raw body bytes)
 * - wx.requestPayment paySign: SHA256withRSA over "appId\ntimeStamp\nnonceStr\npackage\n"
 * - notify resource: AEAD_AES_256_GCM, key = the 32-byte APIv3 key, 12-byte nonce, 16-byte tag at the end
 */

export const AUTH_SCHEMA = "WECHATPAY2-SHA256-RSA2048";

/** 32 random uppercase hex characters. */
export function nonceStr(): string {
  return randomBytes(16).toString("hex").toUpperCase();
}

/** Unix seconds as a string. */
export function unixSeconds(nowMs: number): string {
  return String(Math.floor(nowMs / 1000));
}

export function rsaSign(message: string | Buffer, privateKey: KeyObject): string {
  return sign("sha256", typeof message === "string" ? Buffer.from(message, "utf8") : message, privateKey).toString("base64");
}

export function rsaVerify(message: Buffer, signatureBase64: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64)) return false;
  try {
    return verify("sha256", message, publicKey, Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}

/** The string a merchant signs for the Authorization header. `pathAndQuery` as sent on the request line. */
export function requestSignMessage(method: string, pathAndQuery: string, timestamp: string, nonce: string, body: string): string {
  return `${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** The bytes WeChat Pay signs for a response or a notify callback (raw body, never re-serialised). */
export function responseSignMessage(timestamp: string, nonce: string, rawBody: string | Buffer): Buffer {
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody;
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, "utf8"), body, Buffer.from("\n", "utf8")]);
}

export function buildAuthorization(p: {
  mchId: string;
  serialNo: string;
  privateKey: KeyObject;
  method: string;
  pathAndQuery: string;
  body: string;
  nowMs: number;
}): string {
  const timestamp = unixSeconds(p.nowMs);
  const nonce = nonceStr();
  const signature = rsaSign(requestSignMessage(p.method, p.pathAndQuery, timestamp, nonce, p.body), p.privateKey);
  return `${AUTH_SCHEMA} mchid="${p.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${p.serialNo}"`;
}

/** AEAD_AES_256_GCM decryption of a notify resource. Throws on a wrong key, nonce, AAD or a tampered ciphertext. */
export function decryptResource(
  apiV3Key: Buffer,
  resource: { ciphertext: string; nonce: string; associated_data?: string | undefined },
): string {
  const data = Buffer.from(resource.ciphertext, "base64");
  if (data.length <= 16) throw new Error("ciphertext too short");
  const tag = data.subarray(data.length - 16);
  const enc = data.subarray(0, data.length - 16);
  const decipher = createDecipheriv("aes-256-gcm", apiV3Key, Buffer.from(resource.nonce, "utf8"), { authTagLength: 16 });
  decipher.setAuthTag(tag);
  decipher.setAAD(Buffer.from(resource.associated_data ?? "", "utf8"));
  return Buffer.concat([decipher.update(enc), decipher.final()]).toString("utf8");
}

export function loadPrivateKey(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: "pem" });
}

export function loadPublicKey(pem: string): KeyObject {
  return createPublicKey({ key: pem, format: "pem" });
}
