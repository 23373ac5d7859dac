import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { testdataDir } from "@gradphoto/testkit";
import { DEMO_WITH_PHOTOS, seedDemo } from "../src/seed.js";
import { photoForm, startJourney, type Journey } from "./journey-harness.js";

/**
 * The demo a newcomer gets from `npm start`: every seeded graduate with a suggested photo goes the
 * whole way through the real API — bind the printed 采集码, pay, upload the suggested file from the
 * album, standardise, submit, confirm the admission photo — and passes the checks and the comparison.
 */
let j: Journey;
let seeded: Awaited<ReturnType<typeof seedDemo>>;
const codesDir = mkdtempSync(path.join(os.tmpdir(), "demo-codes-"));

beforeAll(async () => {
  j = await startJourney();
  seeded = await seedDemo(j.deps.db, { storage: j.deps.storage, studioDir: testdataDir("faces-studio"), codesDir });
}, 300_000);

describe("demo data", () => {
  it("gives admission photos that look like 录取照片 and keeps the studio set's attribution", async () => {
    const withPhoto = seeded.codes.filter((c) => c.graduationPhoto);
    expect(withPhoto).toHaveLength(DEMO_WITH_PHOTOS);
    expect(readFileSync(path.join(codesDir, "ATTRIBUTION.txt"), "utf8")).toMatch(/Face Research Lab London Set.*CC BY 4\.0/);
    for (const c of withPhoto) {
      const e = await j.deps.db.rosterEntry.findFirstOrThrow({ where: { campaignId: seeded.campaignId, uniqueNumber: c.uniqueNumber } });
      expect(e.admissionPhotoStatus).toBe("PRESENT");
      // head and shoulders, portrait 3:4, small — not a press or full-body shot
      const m = await sharp(await j.deps.storage.get(e.admissionPhotoKey!)).metadata();
      expect([m.width, m.height]).toEqual([360, 480]);
      const g = await sharp(readFileSync(c.graduationPhoto!)).metadata();
      expect(g.width! / g.height!).toBeCloseTo(0.75, 2);
    }
  });

  it("every suggested photo passes the checks, standardisation and the comparison through the API", async () => {
    for (const c of seeded.codes.filter((x) => x.graduationPhoto)) {
      const g = await j.graduate();
      const s = await j.call("POST", `/api/campaigns/${seeded.campaignId}/submission`, { token: g.token });
      const id = s.body.id as string;
      await j.call("POST", `/api/submissions/${id}/consent`, { token: g.token, body: { version: 1 } });
      const scan = await j.call("POST", `/api/submissions/${id}/capture-code/scan`, { token: g.token, body: { text: readFileSync(c.file!.replace(/\.png$/, ".txt"), "utf8") } });
      expect(scan.body.rosterEntry?.name, c.uniqueNumber).toBe(c.name);
      await j.call("POST", `/api/submissions/${id}/capture-code/confirm`, { token: g.token, body: { codeToken: scan.body.codeToken } });
      const o = await j.call("POST", `/api/submissions/${id}/orders`, { token: g.token });
      await j.fake.pay.payOrder(o.body.order.outTradeNo);
      const up = await j.call("POST", `/api/submissions/${id}/photos?source=ALBUM`, { token: g.token, form: photoForm(readFileSync(c.graduationPhoto!)) });
      expect(up.body.photo?.compliant, `${c.uniqueNumber}: ${JSON.stringify(up.body.photo?.checks?.filter((x: { passed: boolean }) => !x.passed))}`).toBe(true);
      const st = await j.call("POST", `/api/submissions/${id}/photos/${up.body.photo.id}/standardize`, { token: g.token });
      expect(st.status, c.uniqueNumber).toBe(200);
      expect((await j.call("POST", `/api/submissions/${id}/submit`, { token: g.token, body: { photoId: up.body.photo.id } })).status).toBe(200);
      const cmp = await j.call("POST", `/api/submissions/${id}/admission-photo/confirm`, { token: g.token });
      expect(cmp.body.comparison, c.uniqueNumber).toMatchObject({ passed: true });
      expect(cmp.body.comparison.score).toBeGreaterThanOrEqual(80);
    }
  }, 300_000);
});
