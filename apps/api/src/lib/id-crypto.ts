import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = 1;

/**
 * Full ID numbers are stored only encrypted (AES-256-GCM, random 96-bit IV):
 * version byte ‖ IV (12) ‖ tag (16) ‖ ciphertext. The key comes from ID_ENCRYPTION_KEY.
 */
export function encryptIdNumber(key: Buffer, plain: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, c.getAuthTag(), ct]);
}

export function decryptIdNumber(key: Buffer, blob: Uint8Array): string {
  const b = Buffer.from(blob);
  if (b[0] !== VERSION || b.length < 29) throw new Error("unknown ID ciphertext format");
  const d = createDecipheriv("aes-256-gcm", key, b.subarray(1, 13));
  d.setAuthTag(b.subarray(13, 29));
  return Buffer.concat([d.update(b.subarray(29)), d.final()]).toString("utf8");
}
