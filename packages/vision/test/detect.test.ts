import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { alignFace, decodeRgb, detectFaces, fitSimilarity, verifyModels, ARCFACE_TEMPLATE } from "@gradphoto/vision";
import { testdataDir } from "@gradphoto/testkit";

const faces = testdataDir("faces");
const manifest = JSON.parse(readFileSync(path.join(faces, "manifest.json"), "utf8")) as {
  files: Array<{ path: string; labels: { faces: number; framing: string } }>;
};

describe("model registry", () => {
  it("finds every manifest model with the right sha256", () => {
    const status = verifyModels();
    expect(status.length).toBeGreaterThanOrEqual(8);
    for (const s of status) expect(s, s.file).toMatchObject({ present: true, sha256Ok: true });
  });
});

describe("YuNet detection", () => {
  it("finds one face with five ordered landmarks on single portraits", async () => {
    const dir = path.join(faces, "barack-obama");
    const files = readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).slice(0, 3);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const img = await decodeRgb(readFileSync(path.join(dir, f)));
      const found = await detectFaces(img, { scoreThreshold: 0.8 });
      expect(found.length, f).toBeGreaterThanOrEqual(1);
      const [re, le, nose] = found[0]!.landmarks;
      expect(re.x).toBeLessThan(le.x); // subject's right eye is on the image's left
      expect(nose.y).toBeGreaterThan(Math.min(re.y, le.y));
      const b = found[0]!.box;
      expect(re.x).toBeGreaterThan(b.x);
      expect(le.x).toBeLessThan(b.x + b.width);
    }
  });

  it("finds several faces in a group photo", async () => {
    const group = manifest.files.find((i) => i.labels.framing === "group" && i.labels.faces >= 4);
    expect(group).toBeDefined();
    const img = await decodeRgb(readFileSync(path.join(faces, group!.path)));
    const found = await detectFaces(img);
    expect(found.length).toBeGreaterThanOrEqual(3);
  });
});

describe("alignment", () => {
  it("fits an exact similarity and maps the template onto itself", () => {
    const src = ARCFACE_TEMPLATE.map((p) => ({ x: 2 * p.x + 10, y: 2 * p.y - 5 }));
    const t = fitSimilarity(src, ARCFACE_TEMPLATE);
    expect(t.a).toBeCloseTo(0.5, 6);
    expect(t.b).toBeCloseTo(0, 6);
    expect(t.tx).toBeCloseTo(-5, 6);
    expect(t.ty).toBeCloseTo(2.5, 6);
  });

  it("warps to 112×112", () => {
    const img = { data: new Uint8Array(200 * 200 * 3).fill(128), width: 200, height: 200 };
    const out = alignFace(img, ARCFACE_TEMPLATE.map((p) => ({ x: p.x + 40, y: p.y + 40 })));
    expect(out.width).toBe(112);
    expect(out.data.every((v) => v === 128)).toBe(true);
  });
});
