import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { CaptureCodeError, DecodePool, renderCodePng } from "@gradphoto/capture-code";

const pool = new DecodePool({ size: 1 });
afterAll(() => pool.close());

/** A large picture without a QR code: the decoder tries every strategy before giving up. */
async function noisePhoto(): Promise<Buffer> {
  const w = 2400, h = 1800;
  const px = Buffer.alloc(w * h * 3);
  let s = 12345;
  for (let i = 0; i < px.length; i++) px[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return sharp(px, { raw: { width: w, height: h, channels: 3 } }).blur(1.2).jpeg({ quality: 85 }).toBuffer();
}

describe("decode pool (worker threads)", () => {
  it("reads a code and returns the same result shape as the in-process decoder", async () => {
    const text = "GRADPHOTO pool test 采集码 payload";
    const r = await pool.decode(await renderCodePng(text));
    expect(r.text).toBe(text);
    expect(r.image.format).toBe("png");
  }, 60_000);

  it("passes structured errors back across the thread", async () => {
    const err = await pool.decode(Buffer.from("not an image")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureCodeError);
    expect((err as CaptureCodeError).code).toBe("INVALID_IMAGE");
    expect((err as CaptureCodeError).message).toMatch(/[\u4e00-\u9fa5]/);
  }, 60_000);

  it("keeps the event loop free while a slow image is decoded", async () => {
    const img = await noisePhoto();
    await pool.decode(await renderCodePng("warm-up")); // worker started and loaded
    let last = performance.now(), worstGap = 0, ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const t0 = performance.now();
    const err = await pool.decode(img).catch((e: unknown) => e);
    const took = performance.now() - t0;
    clearInterval(timer);
    expect((err as CaptureCodeError).code).toBe("CODE_UNREADABLE");
    expect(took).toBeGreaterThan(200); // otherwise this test would prove nothing
    expect(ticks).toBeGreaterThan(took / 10 / 4);
    expect(worstGap).toBeLessThan(Math.max(150, took / 3));
  }, 60_000);

  it("runs jobs side by side and keeps each caller's buffer intact", async () => {
    const two = new DecodePool({ size: 2 });
    try {
      const texts = ["first code", "second code", "third code"];
      const pngs = await Promise.all(texts.map((t) => renderCodePng(t)));
      const before = pngs.map((p) => p.length);
      const got = await Promise.all(pngs.map((p) => two.decode(p)));
      expect(got.map((g) => g.text)).toEqual(texts);
      expect(pngs.map((p) => p.length)).toEqual(before); // copies were transferred, not the callers' buffers
    } finally {
      await two.close();
    }
  }, 60_000);

  it("fails the jobs of a crashed worker as PROVIDER_UNAVAILABLE, then serves the next one with a fresh worker", async () => {
    const own = new DecodePool({ size: 1 });
    try {
      await own.decode(await renderCodePng("start"));
      const slow = own.decode(await noisePhoto());
      // kill the worker mid-job (as an out-of-memory kill would)
      const slots = (own as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots;
      await slots[0]!.worker.terminate();
      const err = await slow.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaptureCodeError);
      expect((err as CaptureCodeError).code).toBe("PROVIDER_UNAVAILABLE");
      expect((await own.decode(await renderCodePng("after the crash"))).text).toBe("after the crash");
    } finally {
      await own.close();
    }
  }, 60_000);
});
