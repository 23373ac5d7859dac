import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { check, checkInputs, decodeImage, detectStep, landmarkStep, photoSpec, runChecks, DEFAULT_SPEC, type CheckResult, type PhotoReport } from "@gradphoto/photo";
import { byLabel, goodPortraits, photo, studioByLabel, type Entry } from "./helpers.js";

const failed = (r: PhotoReport, id: string) => r.checks.some((c) => c.id === id && !c.passed);
const get = (r: PhotoReport, id: string): CheckResult => r.checks.find((c) => c.id === id)!;

async function shareFailing(entries: Entry[], id: string): Promise<number> {
  let n = 0;
  for (const e of entries) if (failed(await check(photo(e)), id)) n++;
  return n / entries.length;
}

describe("checks on labelled dev-set photos (chosen by label)", () => {
  it("refuses group photos and empty pictures with structured errors", async () => {
    for (const e of byLabel((l) => l.faces >= 2, 3)) {
      const r = await check(photo(e));
      expect(r.error?.code, e.path).toBe("MULTIPLE_FACES");
      expect(r.compliant).toBe(false);
      expect(get(r, "single_face")).toMatchObject({ passed: false });
    }
    for (const e of byLabel((l) => l.faces === 0)) {
      const r = await check(photo(e));
      expect(r.error?.code, e.path).toBe("NO_FACE");
      expect(r.error?.message).toMatch(/人脸/);
    }
  });

  it("catches hats, closed eyes and tinted glasses", async () => {
    expect(await shareFailing(byLabel((l) => l.hat && l.faces === 1), "no_hat")).toBeGreaterThanOrEqual(0.8);
    expect(await shareFailing(byLabel((l) => (l.eyes === "closed" || l.eyes === "one_closed") && l.faces === 1), "eyes_open")).toBeGreaterThanOrEqual(0.75);
    expect(await shareFailing(byLabel((l) => l.glasses === "sunglasses" || l.glasses === "tinted"), "no_tinted_glasses")).toBe(1);
  });

  it("catches open mouths on single colour faces seen from the front at product resolution", async () => {
    const open = byLabel((l) => l.mouth === "open" && l.faces === 1 && l.frontal && l.color === "color" && (l.face_width_px ?? 0) >= 160);
    expect(open.length).toBeGreaterThanOrEqual(15);
    expect(await shareFailing(open, "mouth_closed")).toBeGreaterThanOrEqual(0.7);
  });

  it("fails black-and-white photos on colour and small faces on resolution", async () => {
    for (const e of byLabel((l) => l.color === "grayscale" && l.faces === 1, 2)) {
      const r = await check(photo(e));
      expect(get(r, "colour"), e.path).toMatchObject({ passed: false });
      expect(get(r, "colour").message).toMatch(/彩色/);
    }
    const small = byLabel((l, e) => l.faces === 1 && l.framing === "full_body" && e.width < 700, 1)[0]!;
    const r = await check(photo(small));
    expect(get(r, "face_resolution").passed, small.path).toBe(false);
    expect(get(r, "face_resolution").value).toBeLessThan(160);
  });

  it("accepts most compliant colour portraits, every check with id, value, threshold and message", async () => {
    const portraits = goodPortraits(6);
    let ok = 0;
    for (const e of portraits) {
      const r = await check(photo(e));
      if (r.compliant) ok++;
      expect(r.error, e.path).toBeUndefined();
      for (const c of r.checks) {
        expect(c.id).toMatch(/^[a-z_]+$/);
        expect(c.message.length).toBeGreaterThan(2);
        expect(["error", "warning"]).toContain(c.severity);
        expect(c).toHaveProperty("threshold");
      }
      expect(get(r, "colour").passed).toBe(true);
      expect(get(r, "single_face").passed).toBe(true);
    }
    expect(ok).toBeGreaterThanOrEqual(3);
  });
});

describe("checks on synthetic variants of a compliant portrait", () => {
  const base = photo(goodPortraits(3)[2]!);
  // a labelled-compliant studio portrait (frontal, neutral, lips closed, both ears, nothing worn, even studio light)
  const studio = photo(studioByLabel((l) => l.expected_compliant, 1)[0]!);

  it("sharp: a blurred copy fails; when the face has few pixels, the message asks to come closer", async () => {
    expect(get(await check(base), "sharp").passed).toBe(true);
    const blurred = get(await check(await sharp(base).blur(4).jpeg({ quality: 92 }).toBuffer()), "sharp");
    expect(blurred.passed).toBe(false);
    expect(blurred.message).toMatch(/模糊/);
    // the same portrait at 40 % (a face of ≈ 110 px), slightly soft: its blur is missing resolution
    const w = (await sharp(base).metadata()).width!;
    const small = get(await check(await sharp(base).resize(Math.round(0.4 * w)).blur(1.5).jpeg({ quality: 92 }).toBuffer()), "sharp");
    expect(small.passed).toBe(false);
    expect(small.message).toMatch(/靠近/);
  });

  it("not_rephotographed: a copy with a screen/halftone pattern fails", async () => {
    const { data, info } = await sharp(base).raw().toBuffer({ resolveWithObject: true });
    const out = Buffer.from(data);
    for (let y = 0; y < info.height; y++) for (let x = 0; x < info.width; x++) {
      const m = 0.85 + 0.15 * Math.cos((2 * Math.PI * (0.8 * x + 0.6 * y)) / 5) * Math.cos((2 * Math.PI * (-0.6 * x + 0.8 * y)) / 5);
      for (let c = 0; c < info.channels; c++) out[(y * info.width + x) * info.channels + c] = Math.min(255, data[(y * info.width + x) * info.channels + c]! * m);
    }
    const screen = await sharp(out, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 90 }).toBuffer();
    expect(get(await check(base), "not_rephotographed").passed).toBe(true);
    expect(get(await check(screen), "not_rephotographed").passed).toBe(false);
  });

  it("no_highlights: shiny spots on forehead and nose fail, a brighter exposure of the same face does not", async () => {
    expect(get(await check(studio), "no_highlights").passed).toBe(true);
    // a phone's exposure varies by a few per cent: light skin clips in red first, which is no highlight
    const brighter = await sharp(studio).modulate({ brightness: 1.04 }).jpeg({ quality: 92 }).toBuffer();
    expect(get(await check(brighter), "no_highlights").passed).toBe(true);
    // near-white specular spots (flash on a shiny forehead and nose tip), soft-edged
    const d = await decodeImage(studio, DEFAULT_SPEC);
    const p = (await landmarkStep(d.image, (await detectStep(d.image, DEFAULT_SPEC.thresholds)).main!)).points;
    const s = 1 / d.scale, F = Math.hypot(p[16]!.x - p[0]!.x, p[16]!.y - p[0]!.y) * s;
    const brow = { x: ((p[21]!.x + p[22]!.x) / 2) * s, y: ((p[21]!.y + p[22]!.y) / 2) * s - 0.18 * F };
    const nose = { x: p[30]!.x * s, y: p[30]!.y * s - 0.03 * F };
    const spot = (c: { x: number; y: number }, r: number) => `<ellipse cx="${c.x}" cy="${c.y}" rx="${1.4 * r}" ry="${r}" fill="url(#g)"/>`;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${d.source.width}" height="${d.source.height}"><defs><radialGradient id="g"><stop offset="0" stop-color="#fffcf5"/><stop offset="0.55" stop-color="#fffcf5" stop-opacity="0.95"/><stop offset="1" stop-color="#fffcf5" stop-opacity="0"/></radialGradient></defs>${spot(brow, 0.12 * F)}${spot(nose, 0.06 * F)}</svg>`;
    const shiny = await sharp(studio).composite([{ input: Buffer.from(svg) }]).jpeg({ quality: 92 }).toBuffer();
    const r = get(await check(shiny), "no_highlights");
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/高光/);
  });

  it("clothes_contrast: clothes in the background colour fail", async () => {
    const r = await check(base);
    const ok = get(r, "clothes_contrast");
    expect(ok.passed).toBe(true);
    const { data, info } = await sharp(base).raw().toBuffer({ resolveWithObject: true });
    const d = await decodeImage(base, DEFAULT_SPEC);
    const lm = await landmarkStep(d.image, (await detectStep(d.image, DEFAULT_SPEC.thresholds)).main!);
    const chin = (lm.points[8]!.y + 0.3 * lm.faceWidth) / d.scale;
    // repaint everything below the chin (the clothes) light blue, keeping a little of its texture
    const out = Buffer.from(data);
    for (let y = Math.floor(chin); y < info.height; y++) for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * info.channels;
      const t = 0.25 * (0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]! - 128);
      out[i] = Math.max(0, Math.min(255, 100 + t)); out[i + 1] = Math.max(0, Math.min(255, 197 + t)); out[i + 2] = Math.max(0, Math.min(255, 245 + t));
    }
    const blueTop = await sharp(out, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 92 }).toBuffer();
    const r2 = await check(blueTop);
    expect(get(r2, "clothes_contrast").passed).toBe(false);
    expect(get(r2, "clothes_contrast").message).toMatch(/衣服/);
  });

  it("album_input: album photos are held to the notice's size rule, camera captures are not", async () => {
    const small = await sharp(base).resize(300).jpeg({ quality: 90 }).toBuffer();
    expect(get(await check(small, {}, { origin: "album" }), "album_input").passed).toBe(false);
    expect((await check(small, {}, { origin: "camera" })).checks.some((c) => c.id === "album_input")).toBe(false);
  });

  it("album_input: a landscape 1024×768 fails the notice's 3:4 portrait rule, a 3:4 portrait of the same photo passes it", async () => {
    // same pixels, cut to the two shapes: only the shape differs
    const meta = await sharp(base).metadata();
    const side = Math.min(meta.width!, meta.height!);
    const square = await sharp(base).resize(side, side, { fit: "cover" }).toBuffer();
    const landscape = await sharp(square).resize(1024, 768, { fit: "cover" }).jpeg({ quality: 92 }).toBuffer();
    const portrait = await sharp(square).resize(768, 1024, { fit: "cover" }).jpeg({ quality: 92 }).toBuffer();
    const l = get(await check(landscape, {}, { origin: "album" }), "album_input");
    expect(l.passed).toBe(false);
    expect(l.message).toMatch(/3:4/);
    const p = get(await check(portrait, {}, { origin: "album" }), "album_input");
    expect(p.message).not.toMatch(/3:4/);
  });

  it("severity from the spec: a check turned off is not run, a warning does not refuse", async () => {
    const r = await check(base, { severity: { sharp: "off", clothes_contrast: "warning" } });
    expect(r.checks.some((c) => c.id === "sharp")).toBe(false);
    expect(get(r, "clothes_contrast").severity).toBe("warning");
  });

  it("checkInputs + runChecks reproduce check(), and other thresholds change only their own checks", async () => {
    const spec = photoSpec({});
    const { input, error } = await checkInputs(base, spec);
    expect(error).toBeUndefined();
    const direct = await check(base, spec);
    expect(runChecks({ spec, ...input })).toEqual(direct.checks);
    const strict = runChecks({ spec: { ...spec, thresholds: { ...spec.thresholds, minSharpness: 1e6 } }, ...input });
    expect(strict.find((c) => c.id === "sharp")!.passed).toBe(false);
    expect(strict.filter((c) => c.id !== "sharp")).toEqual(direct.checks.filter((c) => c.id !== "sharp"));
  });
});

// faces-studio: Face Research Lab London Set (DeBruine & Jones 2017, https://doi.org/10.6084/m9.figshare.5047666.v5, CC BY 4.0)
describe("studio portraits: smiles, ear jewellery, turned heads (faces-studio, chosen by label)", () => {
  const studio = (pred: Parameters<typeof studioByLabel>[0], limit?: number) => studioByLabel(pred, limit);
  const frontalSmiles = studio((l, e) => l.frontal && l.faces === 1 && e.capture?.expression === "smiling");

  it("mouth_closed refuses smiles that show teeth or part the lips, and passes the same people's closed-lip smiles", async () => {
    const open = frontalSmiles.filter((e) => e.labels.mouth === "open");
    const closed = frontalSmiles.filter((e) => e.labels.mouth === "closed");
    expect(open.length).toBeGreaterThanOrEqual(30);
    expect(closed.length).toBeGreaterThanOrEqual(20);
    // the old rule (inner-lip opening and teeth inside the landmarks' inner contour) caught 24/43
    expect(await shareFailing(open, "mouth_closed")).toBeGreaterThanOrEqual(0.8);
    expect(await shareFailing(closed, "mouth_closed")).toBeLessThanOrEqual(0.05);
    const r = await check(photo(open[0]!));
    expect(get(r, "mouth_closed").message).toMatch(/露齿/);
  });

  it("no_accessories: flags earrings beside the ear and names what to take off; compliant portraits pass it", async () => {
    const earrings = studio((l) => l.frontal && l.accessories.includes("earrings"));
    expect(earrings.length).toBeGreaterThanOrEqual(12);
    // measured: 6 of the 16 frontal earring photos (studs of a few pixels are often indistinguishable from the ear's own folds)
    expect(await shareFailing(earrings, "no_accessories")).toBeGreaterThanOrEqual(0.3);
    for (const e of studio((l) => l.expected_compliant, 12)) {
      const r = await check(photo(e));
      expect(get(r, "no_accessories").passed, e.path).toBe(true);
      expect(r.compliant).toBe(true);
    }
  });

  it("an earring photo fails no_accessories at the earring; the same photo with the marked spots retouched away passes", async () => {
    // no natural pair exists in the set (each person wears the same jewellery in all six views), so the
    // pair is the photo and itself with the spots the check marks blurred into their surroundings. On
    // dark skin the ear's own folds score close to the limit (docs/photo-spec.md), so a retouch must move
    // the mark off the retouched spot, and most photos (not all) pass once both ears are retouched.
    const earrings = studio((l) => l.frontal && l.accessories.includes("earrings") && l.issues.every((i) => i === "accessories"));
    let flagged = 0, passedAfter = 0;
    for (const e of earrings) {
      const r = await check(photo(e));
      const c = get(r, "no_accessories");
      if (c.passed) continue;
      flagged++;
      expect(c.severity).toBe("warning");
      expect(r.compliant, e.path).toBe(true); // a warning does not refuse
      expect(c.message).toMatch(/耳.*摘下/);
      let buf = photo(e);
      let now = c;
      for (let round = 0; round < 2 && !now.passed; round++) {
        const v = now.value as { blob: number; ear: string; x: number; y: number; r: number };
        expect(["left", "right"]).toContain(v.ear);
        // the marked spot lies beside the face on the side it names
        const face = (await checkInputs(buf, DEFAULT_SPEC)).input.landmarks!.points;
        if (v.ear === "left") expect(v.x).toBeLessThan(face[4]!.x);
        else expect(v.x).toBeGreaterThan(face[12]!.x);
        const side = Math.max(8, Math.round(v.r));
        const left = Math.max(0, v.x - side), top = Math.max(0, v.y - side);
        const meta = await sharp(buf).metadata();
        const w = Math.min(2 * side, meta.width! - left), h = Math.min(2 * side, meta.height! - top);
        const patch = await sharp(buf).extract({ left, top, width: w, height: h }).blur(side / 2).toBuffer();
        buf = await sharp(buf).composite([{ input: patch, left, top }]).jpeg({ quality: 92 }).toBuffer();
        now = get(await check(buf), "no_accessories");
        const n = now.value as typeof v;
        // what was marked is gone: the mark moves away from the retouched spot, or the photo passes
        expect(now.passed || Math.hypot(n.x - v.x, n.y - v.y) > side, e.path).toBe(true);
      }
      if (now.passed) passedAfter++;
    }
    expect(flagged).toBeGreaterThanOrEqual(4);
    expect(passedAfter).toBeGreaterThanOrEqual(flagged / 2);
  });

  it("ears_visible: a head turned three-quarters hides its far ear; a frontal compliant portrait shows both", async () => {
    const turned = studio((l) => l.pose === "three_quarter", 4);
    for (const e of turned) {
      const c = get(await check(photo(e)), "ears_visible");
      expect(c.passed, e.path).toBe(false);
      expect(c.message).toMatch(/转向一侧/);
    }
    const good = studio((l) => l.expected_compliant, 2);
    for (const e of good) expect(get(await check(photo(e)), "ears_visible").passed, e.path).toBe(true);
  });
});
