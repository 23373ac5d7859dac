import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeImage, photoSpec, sniffFormat, DEFAULT_SPEC, PhotoError } from "@gradphoto/photo";
import { goodPortraits, heicLike, photo, pngBomb } from "./helpers.js";

const spec = DEFAULT_SPEC;
const portrait = photo(goodPortraits(1)[0]!);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (e) {
    expect(e).toBeInstanceOf(PhotoError);
    return (e as PhotoError).code;
  }
}

describe("decode step", () => {
  it("sniffs containers from bytes", () => {
    expect(sniffFormat(portrait)).toBe("jpeg");
    expect(sniffFormat(heicLike())).toBe("heif");
    expect(sniffFormat(Buffer.from("GIF89a......"))).toBe("gif");
    expect(sniffFormat(Buffer.from("hello world"))).toBe("unknown");
  });

  it("decodes JPEG, PNG and WebP to 8-bit RGB with the source size", async () => {
    const meta = await sharp(portrait).metadata();
    for (const buf of [portrait, await sharp(portrait).png().toBuffer(), await sharp(portrait).webp().toBuffer()]) {
      const d = await decodeImage(buf, spec);
      expect(d.source.width).toBe(meta.width);
      expect(d.image.data.length).toBe(d.image.width * d.image.height * 3);
    }
  });

  it("applies the EXIF orientation", async () => {
    const rotated = await sharp(portrait).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const meta = await sharp(portrait).metadata();
    const d = await decodeImage(rotated, spec);
    expect(d.source.orientation).toBe(6);
    expect([d.source.width, d.source.height]).toEqual([meta.height, meta.width]);
  });

  it("converts CMYK, 16-bit, alpha and grayscale inputs to sRGB", async () => {
    const cmyk = await sharp(portrait).toColourspace("cmyk").jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
    const d1 = await decodeImage(cmyk, spec);
    expect(d1.source.space).toBe("cmyk");
    expect(d1.image.data.length).toBe(d1.image.width * d1.image.height * 3);

    const png16 = await sharp(portrait).toColourspace("rgb16").png().toBuffer();
    const d2 = await decodeImage(png16, spec);
    expect(d2.source.depth).toBe("ushort");
    expect(Math.max(...d2.image.data.subarray(0, 3000))).toBeLessThanOrEqual(255);

    const transparent = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const d3 = await decodeImage(transparent, spec);
    expect(d3.source.hasAlpha).toBe(true);
    expect([...d3.image.data.subarray(0, 3)]).toEqual([255, 255, 255]); // flattened onto white

    const grey = await sharp(portrait).grayscale().jpeg().toBuffer();
    const d4 = await decodeImage(grey, spec);
    const i = (d4.image.width * 10 + 10) * 3;
    expect(d4.image.data[i]).toBe(d4.image.data[i + 1]);
  });

  it("shrinks on load to the working size", async () => {
    const big = await sharp(portrait).resize(3000, 4000, { fit: "fill" }).jpeg({ quality: 80 }).toBuffer();
    const d = await decodeImage(big, spec, { maxWorkSide: 1024 });
    expect(d.source.height).toBe(4000);
    expect(Math.max(d.image.width, d.image.height)).toBe(1000);
    expect(d.scale).toBeCloseTo(0.25, 3);
  });

  it("refuses every bad input with a structured error", async () => {
    const truncated = portrait.subarray(0, Math.floor(portrait.length * 0.6));
    const corrupt = Buffer.from(portrait);
    corrupt.fill(0x5a, 600, 4000); // garbage inside the entropy-coded data and tables
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#888" } }).gif().toBuffer();
    expect(await code(decodeImage(Buffer.alloc(0), spec))).toBe("INVALID_IMAGE");
    expect(await code(decodeImage(Buffer.from("this is not an image at all"), spec))).toBe("INVALID_IMAGE");
    expect(await code(decodeImage(truncated, spec))).toBe("INVALID_IMAGE");
    expect(await code(decodeImage(corrupt, spec))).toBe("INVALID_IMAGE");
    expect(await code(decodeImage(heicLike(), spec))).toBe("UNSUPPORTED_FORMAT");
    expect(await code(decodeImage(gif, spec))).toBe("UNSUPPORTED_FORMAT");
    const t0 = performance.now();
    expect(await code(decodeImage(pngBomb(), spec))).toBe("IMAGE_TOO_LARGE");
    expect(performance.now() - t0).toBeLessThan(2000); // refused from the header, nothing decoded
    expect(await code(decodeImage(portrait, photoSpec({ input: { maxBytes: 1000 } })))).toBe("IMAGE_TOO_LARGE");
  });
});
