import { CaptureCodeError, DecodePool, ProviderRegistry, devDemoKey, isCaptureCodeError, type CaptureCodeFields } from "@gradphoto/capture-code";
import { AppError } from "../lib/errors.js";

// The demo provider verifies with the campaign's configured public keys, or the development key —
// which anyone can sign with, so only development and test accept it (config.developmentMode).
const registries = {
  development: new ProviderRegistry({ demoPublicKeys: { dev: devDemoKey().publicKey } }),
  production: new ProviderRegistry({ demoPublicKeys: { dev: devDemoKey().publicKey }, forbidDevKey: true }),
};

/** Decoding runs on worker threads: it is CPU-bound JavaScript and must not stall other requests. */
const decodePool = new DecodePool();

/** QR text from an uploaded image (the robust multi-strategy decoder). */
export async function textFromImage(bytes: Buffer): Promise<string> {
  try {
    const r = await decodePool.decode(bytes);
    return r.text;
  } catch (e) {
    throw toAppError(e);
  }
}

/** Turns the raw text into fields with the campaign's provider (demo or http). */
export async function decodeFields(raw: string, provider: string, providerConfig: unknown, schoolCode: string, opts: { developmentMode: boolean }): Promise<CaptureCodeFields> {
  try {
    return await registries[opts.developmentMode ? "development" : "production"].get(provider, providerConfig).decode(raw, { schoolCode });
  } catch (e) {
    throw toAppError(e);
  }
}

export function toAppError(e: unknown): AppError {
  if (isCaptureCodeError(e)) {
    const status = e.code === "PROVIDER_UNAVAILABLE" ? 503 : e.code === "IMAGE_TOO_LARGE" ? 413 : e.code === "PROVIDER_CONFIG_INVALID" || e.code === "PROVIDER_BAD_RESPONSE" ? 502 : 422;
    return new AppError(status, e.code, e.message);
  }
  if (e instanceof AppError) return e;
  throw e;
}

export { CaptureCodeError };
