import { describe, expect, it } from "vitest";
import { decodeImage, detectStep, landmarkStep, DEFAULT_SPEC } from "@gradphoto/photo";
import { byLabel, goodPortraits, photo } from "./helpers.js";

const t = DEFAULT_SPEC.thresholds;

describe("detect step", () => {
  it("finds exactly the graduate on compliant portraits", async () => {
    for (const e of goodPortraits(3)) {
      const d = await decodeImage(photo(e), DEFAULT_SPEC);
      const faces = await detectStep(d.image, t);
      expect(faces.main, e.path).not.toBeNull();
      expect(faces.others, e.path).toHaveLength(0);
    }
  });

  it("reports the other people of group photos, small background faces included", async () => {
    for (const e of byLabel((l) => l.faces >= 3, 3)) {
      const d = await decodeImage(photo(e), DEFAULT_SPEC);
      const faces = await detectStep(d.image, t);
      expect(faces.others.length, e.path).toBeGreaterThanOrEqual(2);
    }
  });

  it("finds no face where there is none", async () => {
    for (const e of byLabel((l) => l.faces === 0)) {
      const d = await decodeImage(photo(e), DEFAULT_SPEC);
      expect((await detectStep(d.image, t)).main, e.path).toBeNull();
    }
  });
});

describe("landmark step", () => {
  it("places 68 points inside the face; eyes open and mouth closed on most compliant portraits", async () => {
    const portraits = goodPortraits(4);
    let eyesOpen = 0, mouthClosed = 0;
    for (const e of portraits) {
      const d = await decodeImage(photo(e), DEFAULT_SPEC);
      const faces = await detectStep(d.image, t);
      const lm = await landmarkStep(d.image, faces.main!);
      const b = faces.main!.box;
      expect(lm.points).toHaveLength(68);
      for (const p of lm.points.slice(17)) {
        expect(p.x).toBeGreaterThan(b.x - 0.1 * b.width);
        expect(p.x).toBeLessThan(b.x + 1.1 * b.width);
      }
      expect(lm.faceWidth).toBeGreaterThan(0.6 * b.width);
      expect(lm.expression.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 3);
      if (Math.min(...lm.eyeOpen) > 0.5) eyesOpen++;
      if (lm.mouthOpen < 0.1) mouthClosed++;
    }
    expect(eyesOpen).toBeGreaterThanOrEqual(portraits.length - 1);
    expect(mouthClosed).toBeGreaterThanOrEqual(portraits.length - 1);
  });

  it("sees closed eyes on photos labelled eyes closed", async () => {
    const closed = byLabel((l) => l.eyes === "closed" && l.faces === 1, 3);
    expect(closed.length).toBeGreaterThan(0);
    for (const e of closed) {
      const d = await decodeImage(photo(e), DEFAULT_SPEC);
      const lm = await landmarkStep(d.image, (await detectStep(d.image, t)).main!);
      expect(Math.min(...lm.eyeOpen), e.path).toBeLessThan(0.5);
    }
  });
});
