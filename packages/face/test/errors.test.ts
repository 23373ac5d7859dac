import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { createFaceComparer, type FaceComparer } from "@gradphoto/face";
import { face, manifest } from "./helpers.js";

let comparer: FaceComparer;
beforeAll(async () => {
  comparer = await createFaceComparer();
});

const portrait = "barack-obama/obama2.jpg";

/** A graduation-photo-sized canvas with nothing but a smooth gradient. */
async function blank(): Promise<Buffer> {
  const w = 300, h = 400;
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(Math.round(80 + (120 * (x + y)) / (w + h)), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

/** The portrait shrunk to 32 px wide (eye distance ≈ 5 px) on a plain 240×320 canvas. */
async function tinyFace(): Promise<Buffer> {
  const small = await sharp(face(portrait)).resize({ width: 32 }).png().toBuffer();
  return sharp({ create: { width: 240, height: 320, channels: 3, background: { r: 200, g: 200, b: 200 } } })
    .composite([{ input: small, left: 100, top: 120 }])
    .png()
    .toBuffer();
}

describe("structured errors (score null, never a fake 0)", () => {
  it("INVALID_IMAGE for bytes that are not an image", async () => {
    const r = await comparer.compare(Buffer.from("definitely not a JPEG"), face(portrait));
    expect(r).toMatchObject({ score: null, passed: false, threshold: 80, error: { code: "INVALID_IMAGE", image: "photo" } });
    expect(r.modelId).toBe(comparer.modelId);
    expect(r.calibrationVersion).toBe(comparer.calibrationVersion);
    expect(r.error!.message).toMatch(/毕业照/);
  });

  it("NO_FACE for the photo and for the reference, each named", async () => {
    const empty = await blank();
    const p = await comparer.compare(empty, face(portrait));
    expect(p).toMatchObject({ score: null, passed: false, error: { code: "NO_FACE", image: "photo" } });
    const r = await comparer.compare(face(portrait), empty);
    expect(r).toMatchObject({ score: null, passed: false, error: { code: "NO_FACE", image: "reference" } });
    expect(r.error!.message).toMatch(/录取照片/);
  });

  it("FACE_TOO_SMALL for a graduation photo whose face is a few pixels wide (a reference that small is still compared)", async () => {
    const r = await comparer.compare(await tinyFace(), face(portrait));
    expect(r).toMatchObject({ score: null, passed: false, error: { code: "FACE_TOO_SMALL", image: "photo" } });
    const ref = await comparer.compare(face(portrait), await tinyFace());
    expect(ref.error).toBeUndefined();
    expect(ref.referenceQuality!.reasons).toContain("SMALL_FACE");
  });

  it("MULTIPLE_FACES for a graduation photo of a group", async () => {
    const group = manifest.files.find((f) => f.labels.framing === "group" && f.labels.faces >= 4)!;
    expect(group).toBeDefined();
    const r = await comparer.compare(face(group.path), face(portrait));
    expect(r).toMatchObject({ score: null, passed: false, error: { code: "MULTIPLE_FACES", image: "photo" } });
  });

  it("embed() throws the same structured error", async () => {
    await expect(comparer.embed(await blank())).rejects.toMatchObject({ code: "NO_FACE" });
  });
});

describe("reference with several faces", () => {
  // Person A on the left (face ≈ 90 px wide), person B much smaller on the right (face ≈ 55 px), in one "admission photo".
  const A = ["barack-obama/obama.jpg", "barack-obama/obama3.jpg"] as const;
  const B = ["tbbt-sheldon/sheldon1.png", "tbbt-sheldon/sheldon2.png"] as const;
  const canvas = () => sharp({ create: { width: 520, height: 420, channels: 3, background: { r: 235, g: 235, b: 235 } } });
  const big = () => sharp(face(A[0])).resize({ width: 300, height: 400, fit: "cover", position: "top" }).png().toBuffer();
  const small = () => sharp(face(B[0])).resize({ width: 70, height: 70, fit: "cover" }).png().toBuffer();
  const compose = async (parts: Array<{ input: Buffer; left: number; top: number }>) => canvas().composite(parts).jpeg({ quality: 90 }).toBuffer();

  it("uses the largest face and says so", async () => {
    const both = await compose([
      { input: await big(), left: 10, top: 10 },
      { input: await small(), left: 350, top: 40 },
    ]);
    const onlyA = await compose([{ input: await big(), left: 10, top: 10 }]);
    const onlyB = await compose([{ input: await small(), left: 350, top: 40 }]);

    const a = await comparer.compare(face(A[1]), both);
    expect(a.error).toBeUndefined();
    expect(a.score).not.toBeNull();
    expect(a.referenceNote).toMatch(/2 张人脸.*最大/);
    const a0 = await comparer.compare(face(A[1]), onlyA);
    expect(a0.referenceNote).toBeUndefined();
    expect(Math.abs(a.similarity! - a0.similarity!)).toBeLessThan(0.05); // A's face was the one compared

    const b = await comparer.compare(face(B[1]), both);
    const b0 = await comparer.compare(face(B[1]), onlyB);
    expect(b.similarity!).toBeLessThan(b0.similarity! - 0.2); // B's (smaller) face was not
    expect(b.passed).toBe(false);
  });
});
