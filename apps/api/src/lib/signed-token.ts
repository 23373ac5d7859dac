import { createHmac, timingSafeEqual } from "node:crypto";

/** Small HMAC-signed, expiring token (`payload.signature`, base64url) for round-trips through a client. */
export function signToken(secret: string, purpose: string, payload: unknown, ttlSeconds: number, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ p: payload, e: Math.floor(now / 1000) + ttlSeconds })).toString("base64url");
  return `${body}.${mac(secret, purpose, body)}`;
}

export function verifyToken<T>(secret: string, purpose: string, token: string, now = Date.now()): T | null {
  const [body, sig] = token.split(".");
  if (!body || !sig) return null;
  const expected = Buffer.from(mac(secret, purpose, body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const { p, e } = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { p: T; e: number };
    return e * 1000 >= now ? p : null;
  } catch {
    return null;
  }
}

function mac(secret: string, purpose: string, body: string): string {
  return createHmac("sha256", secret).update(`${purpose}\n${body}`).digest("base64url");
}
