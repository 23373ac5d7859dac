import { readFile } from "node:fs/promises";
import path from "node:path";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { testdataDir } from "@gradphoto/testkit";
import { decodeQrImage, probeImage, renderCodePng, type CaptureCodeError } from "@gradphoto/capture-code";
import { readManifest } from "../scripts/dataset.js";

const dir = testdataDir("capture-codes");

async function decodeOrNull(bytes: Uint8Array): Promise<string | null> {
  try {
    // A generous budget: this test measures what the pipeline can read, independent of machine load
    // (the speed figures come from `pnpm eval:code` / `pnpm bench`).
    return (await decodeQrImage(bytes, { timeBudgetMs: 15_000 })).text;
  } catch (e) {
    expect((e as CaptureCodeError).code).toBe("CODE_UNREADABLE");
    return null;
  }
}

describe("QR decoding on the capture-code dev set", () => {
  it("reads ≥ 98 % of the images correctly and never returns a wrong text", async () => {
    const manifest = await readManifest(dir);
    expect(manifest.length).toBeGreaterThanOrEqual(60);
    let correct = 0;
    const wrong: string[] = [];
    const failed: string[] = [];
    for (const m of manifest) {
      const got = await decodeOrNull(await readFile(path.join(dir, m.file)));
      if (got === m.text) correct++;
      else if (got === null) failed.push(m.file);
      else wrong.push(m.file);
    }
    expect(wrong).toEqual([]);
    expect(correct / manifest.length, `failed: ${failed.join(", ")}`).toBeGreaterThanOrEqual(0.98);
  }, 120_000);
});

/** Minimal PNG with only a header: lets the size checks run without decoding pixels. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  // One row of pixel data; the rest of the image is missing, which only a full decode would notice.
  const idat = chunk("IDAT", deflateSync(Buffer.alloc(width + 1)));
  return Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), chunk("IHDR", ihdr), idat, chunk("IEND", Buffer.alloc(0))]);
}

describe("input checks and structured errors", () => {
  it("rejects bytes that are not an image", async () => {
    await expect(decodeQrImage(Buffer.from("definitely not an image, just some text"))).rejects.toMatchObject({ code: "INVALID_IMAGE" });
    await expect(decodeQrImage(new Uint8Array(0))).rejects.toMatchObject({ code: "INVALID_IMAGE" });
  });

  it("refuses oversized images from the header, before decoding", async () => {
    const t = performance.now();
    await expect(decodeQrImage(pngHeaderOnly(60_000, 60_000))).rejects.toMatchObject({ code: "IMAGE_TOO_LARGE" });
    expect(performance.now() - t).toBeLessThan(1000);
    const png = await renderCodePng("hello", { width: 300 });
    await expect(decodeQrImage(png, { limits: { maxBytes: 100 } })).rejects.toMatchObject({ code: "IMAGE_TOO_LARGE" });
    await expect(decodeQrImage(png, { limits: { maxPixels: 10_000 } })).rejects.toMatchObject({ code: "IMAGE_TOO_LARGE" });
  });

  it("refuses images too small to hold a code", async () => {
    const tiny = await sharp({ create: { width: 12, height: 12, channels: 3, background: "#fff" } }).png().toBuffer();
    await expect(decodeQrImage(tiny)).rejects.toMatchObject({ code: "IMAGE_TOO_SMALL" });
  });

  it("reports CODE_UNREADABLE with the advice to upload the saved image", async () => {
    const blank = await sharp({ create: { width: 400, height: 600, channels: 3, background: "#f4f4f4" } }).jpeg().toBuffer();
    const err = await decodeQrImage(blank).catch((e: unknown) => e as CaptureCodeError);
    expect(err).toMatchObject({ code: "CODE_UNREADABLE" });
    expect((err as CaptureCodeError).message).toContain("长按二维码选择保存采集码");
  });

  it("stops the fallbacks when the time budget is spent", async () => {
    // Finder patterns intact, data area scrambled: the code is found but cannot be read, so the
    // pipeline goes on to its fallback strategies, which the budget cuts.
    const png = await renderCodePng("budget test payload with some length to it", { width: 400, margin: 4 });
    const noise = Buffer.from(Array.from({ length: 160 * 160 }, (_, i) => (((i * 7919) ^ (i >> 3)) % 2 ? 0 : 255)));
    const scrambled = await sharp(png)
      .composite([{ input: await sharp(noise, { raw: { width: 160, height: 160, channels: 1 } }).png().toBuffer(), left: 150, top: 150 }])
      .png()
      .toBuffer();
    const tried: string[] = [];
    const err = (await decodeQrImage(scrambled, { timeBudgetMs: 0, onAttempt: (a) => tried.push(a.strategy) }).catch((e: unknown) => e)) as CaptureCodeError;
    expect(err.code).toBe("CODE_UNREADABLE");
    expect(err.detail).toMatch(/budget/);
    expect(tried).toContain("crop"); // the essential steps still ran
    expect(tried).not.toContain("rotate45");
  });
});

describe("payload integrity", () => {
  it("returns bytes that are not UTF-8 losslessly as base64, never as a guessed text", async () => {
    const bytes = Buffer.from([0xc3, 0x28, 0xff, 0x00, 0x80, 0x41, 0x42, 0xfe]);
    const png = await QRCode.toBuffer([{ data: bytes, mode: "byte" }], { type: "png", width: 300, margin: 4 });
    const r = await decodeQrImage(png);
    expect(r.encoding).toBe("base64");
    expect(r.text).toBe(`base64:${bytes.toString("base64")}`);
    expect(Buffer.from(r.bytes)).toEqual(bytes);
  });

  it("reads UTF-8 text with Chinese characters exactly", async () => {
    const text = JSON.stringify({ 姓名: "张*明", 院校: "南开大学", n: 42 });
    const r = await decodeQrImage(await renderCodePng(text, { width: 400 }));
    expect(r).toMatchObject({ text, encoding: "utf8" });
  });

  it("applies the EXIF orientation (sizes are reported upright)", async () => {
    const png = await renderCodePng("orientation test", { width: 300 });
    const framed = await sharp(png).extend({ right: 200, background: "#fff" }).png().toBuffer();
    // Store the pixels turned 90° anticlockwise with Orientation 6 (display: turn 90° clockwise).
    const sideways = await sharp(framed).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer();
    const info = await probeImage(sideways);
    expect(info.orientation).toBe(6);
    expect([info.width, info.height]).toEqual([500, 300]);
    const r = await decodeQrImage(sideways);
    expect(r.text).toBe("orientation test");
    expect(r.image).toMatchObject({ width: 500, height: 300 });
  });

  it("still reads a truncated upload when the code's rows arrived", async () => {
    const png = await renderCodePng("truncated upload", { width: 300 });
    const jpg = await sharp(png).extend({ bottom: 500, background: "#fff" }).jpeg({ quality: 90, progressive: false }).toBuffer();
    const cut = jpg.subarray(0, Math.round(jpg.length * 0.85));
    expect((await decodeQrImage(cut)).text).toBe("truncated upload");
  });

  it("reads dark-mode (inverted) codes", async () => {
    const png = await renderCodePng("inverted", { width: 300 });
    const inv = await sharp(png).negate({ alpha: false }).png().toBuffer();
    expect((await decodeQrImage(inv)).text).toBe("inverted");
  });
});
