import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

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

/** Phone numbers as entered and as searched: no spaces or dashes, no +86 country prefix. */
export function normalizePhone(phone: string): string {
  return phone.replace(/[\s-]/g, "").replace(/^\+?86(?=1\d{10}$)/, "");
}

/**
 * Keyed hash of a phone number for exact-match search (HMAC-SHA256 under a key derived from the
 * encryption key, so the hash alone cannot be brute-forced over the small phone-number space).
 */
export function phoneSearchHash(key: Buffer, phone: string): string {
  const k = createHmac("sha256", key).update("gradphoto phone search v1").digest();
  return createHmac("sha256", k).update(normalizePhone(phone)).digest("hex");
}

/** A roster entry's phone for staff: decrypted, or the legacy plaintext column until the backfill ran. */
export function phoneOf(key: Buffer, e: { phone?: string | null; phoneEncrypted?: Uint8Array | null }): string | null {
  if (e.phoneEncrypted) return decryptIdNumber(key, e.phoneEncrypted);
  return e.phone ?? null;
}
