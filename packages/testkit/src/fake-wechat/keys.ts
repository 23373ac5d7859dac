import {
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  randomInt,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import forge from "node-forge";

/**
 * Key material and cryptography of the fake WeChat server. Written independently of
 * `@gradphoto/wechat` on purpose: the fake checks the production code, so it must not share it.
 */

export interface RsaKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateRsaKeyPair(): Promise<RsaKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      "rsa",
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
      },
      (err, publicKeyPem, privateKeyPem) => {
        if (err) return reject(err);
        resolve({
          privateKeyPem,
          publicKeyPem,
          privateKey: createPrivateKey(privateKeyPem),
          publicKey: createPublicKey(publicKeyPem),
        });
      },
    );
  });
}

/** A 40-hex-digit certificate serial like WeChat Pay's (upper case, first byte < 0x80 so DER needs no padding). */
export function randomCertSerial(): string {
  const first = (1 + randomInt(7)).toString(16);
  return (first + randomBytes(20).toString("hex").slice(1)).toUpperCase();
}

/** A 微信支付公钥 ID: "PUB_KEY_ID_" + 32 digits, starting 0114 like real ones. */
export function randomPublicKeyId(): string {
  let digits = "0114";
  while (digits.length < 32) digits += String(randomInt(10));
  return `PUB_KEY_ID_${digits}`;
}

/** A self-signed X.509 certificate (SHA256withRSA) for `keys`, made with node-forge. */
export function selfSignedCertificate(
  keys: RsaKeyPair,
  opts: { serial: string; commonName: string; notBefore?: Date; notAfter?: Date },
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = opts.serial.toLowerCase();
  cert.validity.notBefore = opts.notBefore ?? new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = opts.notAfter ?? new Date(Date.now() + 5 * 365 * 24 * 3600_000);
  const attrs = [
    { name: "commonName", value: opts.commonName },
    { name: "organizationName", value: "Tenpay.com (fake)" },
    { shortName: "OU", value: "Tenpay.com CA Center (fake)" },
    { name: "countryName", value: "CN" },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export function signBase64(message: string | Buffer, privateKey: KeyObject): string {
  return sign("sha256", typeof message === "string" ? Buffer.from(message, "utf8") : message, privateKey).toString("base64");
}

export function verifyBase64(message: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return verify("sha256", Buffer.from(message, "utf8"), publicKey, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/** AEAD_AES_256_GCM as WeChat Pay encrypts notify resources: base64(ciphertext ‖ 16-byte tag). */
export function encryptResource(
  apiV3Key: string,
  plaintext: string,
  associatedData: string,
): { ciphertext: string; nonce: string; associated_data: string } {
  const nonce = randomAlnum(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonce, "utf8"), { authTagLength: 16 });
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const enc = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: enc.toString("base64"), nonce, associated_data: associatedData };
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export function randomAlnum(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

export function randomDigits(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

/** RFC 3339 in Beijing time: 2024-06-01T15:01:00+08:00. */
export function beijingTime(ms: number): string {
  const b = new Date(ms + 8 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${b.getUTCFullYear()}-${p(b.getUTCMonth() + 1)}-${p(b.getUTCDate())}T${p(b.getUTCHours())}:${p(b.getUTCMinutes())}:${p(b.getUTCSeconds())}+08:00`;
}
