import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { check, standardize, finerWorkSide, inspectJpeg, measureOutput, backgroundRgb, DEFAULT_SPEC, type Decoded } from "@gradphoto/photo";
import { byLabel, goodPortraits, heicLike, photo, pngBomb } from "./helpers.js";

const o = DEFAULT_SPEC.output;
// photos whose geometry allows the layout (by label): one face, frontal, eyes open, no hat, not a face crop, colour
const eligible = byLabel((l, e) => l.faces === 1 && l.frontal && l.eyes === "open" && !l.hat && l.occlusion === "none" && l.framing === "portrait" && l.color === "color" && e.height >= 700, 40);
const pick = [eligible[0]!, eligible[12]!, eligible[24]!];

describe("standardize on real dev-set photos", () => {
  it("produces a 480×640 baseline JPEG, 300 dpi, no other metadata, 20–40 KB, in the 学信网 layout", async () => {
    for (const e of pick) {
      const { report, image, print } = await standardize(photo(e));
      expect(image, e.path).toBeDefined();
      const info = inspectJpeg(image!);
      expect(info).toMatchObject({ width: 480, height: 640, baseline: true, dpi: 300, extraSegments: [], components: 3 });
      expect(info.bytes).toBeGreaterThanOrEqual(o.minKb * 1024);
      expect(info.bytes).toBeLessThanOrEqual(o.maxKb * 1024);
      expect(info.quality!).toBeGreaterThanOrEqual(60);
      expect((await sharp(image!).metadata()).exif).toBeUndefined();
      expect(report.output).toMatchObject({ width: 480, height: 640, bytes: image!.length, sizeOk: true });

      // independent measurement of the output pixels
      const m = await measureOutput(image!, backgroundRgb("blue"));
      expect(m.headTop!, e.path).toBeGreaterThanOrEqual(o.headTop[0]);
      expect(m.headTop!, e.path).toBeLessThanOrEqual(o.headTop[1]);
      expect(m.eyeLine!, e.path).toBeGreaterThanOrEqual(o.eyeLine[0]);
      expect(m.eyeLine!, e.path).toBeLessThanOrEqual(o.eyeLine[1]);
      expect(m.faceWidth!, e.path).toBeGreaterThanOrEqual(o.faceWidth[0]);
      expect(m.faceWidth!, e.path).toBeLessThanOrEqual(o.faceWidth[1]);
      expect(Math.abs(m.centreOffset!)).toBeLessThan(24);
      expect(m.bgDeltaE).toBeLessThan(2);

      // the print version: same crop, at least as large, 3:4
      const p = inspectJpeg(print!);
      expect(p.width).toBeGreaterThanOrEqual(480);
      expect(p.height / p.width).toBeCloseTo(4 / 3, 2);
      expect(p.dpi).toBe(300);
    }
  });

  it("the output measurement counts specks: pinholes of background inside the subject, flecks of subject outside", async () => {
    const W = 480, H = 640, bg = backgroundRgb("blue");
    const px = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) px.set(bg, i * 3);
    const paint = (x0: number, y0: number, w: number, h: number, c: readonly number[]) => {
      for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) px.set(c, (y * W + x) * 3);
    };
    const subject = [60, 50, 45];
    paint(140, 80, 200, 260, subject); // head
    paint(40, 340, 400, 300, subject); // shoulders down to the bottom edge
    const png = () => sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
    expect((await measureOutput(await png(), bg)).specks).toBe(0);
    for (let k = 0; k < 10; k++) paint(60 + 30 * k, 400, 2, 2, bg); // 10 pinholes of 4 px
    for (let k = 0; k < 5; k++) paint(20 + 20 * k, 20, 3, 3, subject); // 5 flecks of 9 px
    paint(200, 500, 20, 20, bg); // a large enclosed area (between arm and body) is not a speck
    expect((await measureOutput(await png(), bg)).specks).toBe(40 + 45);
  });

  it("paints the chosen background: white, light grey or a custom colour", async () => {
    const e = pick[0]!;
    for (const bg of ["white", "grey", "#E0F0FF"] as const) {
      const { image } = await standardize(photo(e), { output: { background: bg } });
      const { data } = await sharp(image!).extract({ left: 4, top: 4, width: 8, height: 8 }).raw().toBuffer({ resolveWithObject: true });
      const target = backgroundRgb(bg);
      for (let c = 0; c < 3; c++) expect(Math.abs(data[c]! - target[c]!)).toBeLessThanOrEqual(3);
    }
  });

  it("meets other campaign size ranges and reports an impossible one", async () => {
    const e = pick[1]!;
    const big = await standardize(photo(e), { output: { minKb: 60, maxKb: 200 } });
    expect(big.image!.length).toBeGreaterThanOrEqual(60 * 1024);
    expect(big.image!.length).toBeLessThanOrEqual(200 * 1024);
    const impossible = await standardize(photo(e), { output: { minKb: 2, maxKb: 5 } });
    expect(impossible.report.output!.sizeOk).toBe(false);
    expect(impossible.report.compliant).toBe(false);
    expect(impossible.report.checks.find((c) => c.id === "output_file_size")).toMatchObject({ passed: false });
  });

  it("agrees with check() on the checks of the source", async () => {
    const e = pick[2]!;
    const c = await check(photo(e));
    const s = await standardize(photo(e));
    const ids = c.checks.map((x) => `${x.id}:${x.passed}`);
    expect(s.report.checks.filter((x) => !x.id.startsWith("output_") && x.id !== "chest_in_frame" && x.id !== "sides_in_frame").map((x) => `${x.id}:${x.passed}`)).toEqual(ids);
  });
});

describe("working copy of a large photo with a small face", () => {
  const decoded = (w: number, h: number, scale: number) => ({ scale, source: { width: w, height: h } }) as Decoded;

  it("asks for more pixels only when the shrunk copy holds the face in fewer than 200 px", () => {
    // 4000×3000 decoded at 1/4: a 100-px face there is 400 px in the source → 1/2 scale (2000 px side)
    expect(finerWorkSide(decoded(4000, 3000, 0.25), 100, 160)).toBe(2000);
    // 240 px in the source: full size would be 12 MP; the copy stops at 1/2 (3 MP)
    expect(finerWorkSide(decoded(4000, 3000, 0.25), 60, 160)).toBe(2000);
    expect(finerWorkSide(decoded(2000, 1500, 0.5), 90, 160)).toBe(2000); // 3 MP: full size is allowed
    expect(finerWorkSide(decoded(8000, 6000, 0.125), 30, 160)).toBe(2000); // 48 MP: 1/4 at most
    expect(finerWorkSide(decoded(4000, 3000, 0.25), 220, 160)).toBeUndefined(); // large enough already
    expect(finerWorkSide(decoded(4000, 3000, 0.25), 30, 160)).toBeUndefined(); // 120 px: refused anyway
    expect(finerWorkSide(decoded(1000, 750, 1), 100, 160)).toBeUndefined(); // not shrunk
  });

  it("a half-length portrait inside a 12 MP frame comes out as sharp as the portrait alone", async () => {
    const src = photo(goodPortraits(3)[0]!);
    const m = await sharp(src).metadata();
    // the portrait placed in a 3000×4000 frame (its edge pixels repeated), as a phone photo taken from
    // further away: the face is the same number of pixels, the frame 12 MP
    const left = Math.round((3000 - m.width!) / 2), top = 4000 - m.height! - 600;
    const big = await sharp(src).extend({ left, right: 3000 - m.width! - left, top, bottom: 4000 - m.height! - top, extendWith: "copy" }).jpeg({ quality: 92 }).toBuffer();
    const sharpness = (r: Awaited<ReturnType<typeof check>>) => r.checks.find((c) => c.id === "sharp")!.value as number;
    const [alone, framed] = [await check(src), await check(big)];
    expect(framed.source!.faceWidthPx).toBeGreaterThan(0.97 * alone.source!.faceWidthPx!);
    expect(sharpness(framed)).toBeGreaterThan(0.75 * sharpness(alone)); // decoded at 1/4 scale: 0.5–0.7×
    const out = await standardize(big);
    expect(out.image).toBeDefined();
    expect(out.report.checks.find((c) => c.id === "sharp")!.passed).toBe(true);
  });
});

describe("standardize refuses bad input without throwing", () => {
  it("returns { code, message } and no image", async () => {
    const cases: Array<[Buffer, string]> = [
      [Buffer.alloc(0), "INVALID_IMAGE"],
      [Buffer.from("%PDF-1.4 not an image"), "INVALID_IMAGE"],
      [photo(pick[0]!).subarray(0, 5000), "INVALID_IMAGE"],
      [heicLike(), "UNSUPPORTED_FORMAT"],
      [pngBomb(), "IMAGE_TOO_LARGE"],
      [photo(byLabel((l) => l.faces === 0)[0]!), "NO_FACE"],
      [photo(byLabel((l) => l.faces >= 2)[0]!), "MULTIPLE_FACES"],
    ];
    for (const [buf, code] of cases) {
      const { report, image } = await standardize(buf);
      expect(report.error?.code).toBe(code);
      expect(report.error?.message.length).toBeGreaterThan(4);
      expect(report.compliant).toBe(false);
      expect(image).toBeUndefined();
    }
    expect((await standardize(Buffer.alloc(10), { output: { minKb: 50, maxKb: 10 } })).report.error?.code).toBe("INTERNAL");
  });
});
