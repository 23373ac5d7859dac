import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { renderCodePng } from "@gradphoto/capture-code";
import { faceBytes, faceManifest, jpegVariant, photoForm, startJourney, toPhotoStep, type Journey } from "./journey-harness.js";

let j: Journey;
let g: { token: string; submissionId: string };

beforeAll(async () => {
  j = await startJourney();
  const campaignId = await j.campaign({ schoolPaid: true });
  const entry = await j.rosterEntry(campaignId, null);
  g = await toPhotoStep(j, campaignId, entry);
}, 180_000);

describe("bad uploads get the error shape, never a 500", () => {
  it("refuses a file over the size limit while streaming (413)", async () => {
    const r = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(randomBytes(16 * 1024 * 1024)) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: expect.stringMatching(/过大/) });
  });

  it("refuses corrupt and non-image files with INVALID_IMAGE / UNSUPPORTED_FORMAT (422) and stores nothing for them", async () => {
    const before = await j.deps.db.photo.count({ where: { submissionId: g.submissionId } });
    for (const bytes of [Buffer.from("this is not an image at all"), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2000)])]) {
      const r = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(bytes) });
      expect(r.status).toBe(422);
      expect(["INVALID_IMAGE", "UNSUPPORTED_FORMAT"]).toContain(r.body.code);
      expect(r.body.message).toMatch(/[\u4e00-\u9fa5]/);
    }
    // a small PNG whose header claims 2×40,000,000 pixels (over the spec's 60 MP) is refused from its header
    const bomb = await sharp({ create: { width: 2, height: 2, channels: 3, background: "#fff" } }).png().toBuffer();
    bomb.writeUInt32BE(40_000_000, 20); // IHDR height, with its CRC fixed: a well-formed header
    bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29);
    const r = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(bomb, "bomb.png") });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe("IMAGE_TOO_LARGE");
    expect(await j.deps.db.photo.count({ where: { submissionId: g.submissionId } })).toBe(before);
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body.state).toBe("PAID");
  });

  it("bounds what one graduate can store: past PHOTO_STORAGE_PER_GRADUATE_MB an upload is refused (409) and nothing is stored", async () => {
    const small = await startJourney({ env: { PHOTO_STORAGE_PER_GRADUATE_MB: "1" } });
    const campaignId = await small.campaign({ schoolPaid: true });
    const gr = await toPhotoStep(small, campaignId, await small.rosterEntry(campaignId, null));
    // different files of one size (the same file sent again right away is answered from the first upload)
    const base = faceBytes(faceManifest.files.find((f) => f.labels.expected_compliant)!.path);
    const variant = (i: number) => jpegVariant(base, i);
    const photo = variant(0);
    let stored = 0;
    let refused: { status: number; body: any } | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      const r = await small.call("POST", `/api/submissions/${gr.submissionId}/photos`, { token: gr.token, form: photoForm(variant(i)) });
      if (r.status === 200) stored++;
      else refused = r;
    }
    expect(stored).toBe(Math.floor((1024 * 1024) / photo.length));
    expect(refused).toMatchObject({ status: 409, body: { code: "PHOTO_STORAGE_FULL", message: expect.stringMatching(/客服/) } });
    expect(await small.deps.db.photo.count({ where: { submissionId: gr.submissionId } })).toBe(stored);

    // a burst of parallel uploads (a script, several phones) is held to the same bound: each upload's
    // sum is taken again when it is recorded, under the graduate's row lock
    const gb = await toPhotoStep(small, campaignId, await small.rosterEntry(campaignId, null));
    const burst = await Promise.all(Array.from({ length: stored + 3 }, (_, i) => small.call("POST", `/api/submissions/${gb.submissionId}/photos`, { token: gb.token, form: photoForm(variant(100 + i)) })));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(stored);
    expect(burst.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(["PHOTO_STORAGE_FULL", "PHOTO_STORAGE_FULL", "PHOTO_STORAGE_FULL"]);
    const kept = await small.deps.db.photo.aggregate({ where: { submissionId: gb.submissionId }, _sum: { originalBytes: true }, _count: true });
    expect(kept._count).toBe(stored);
    expect(kept._sum.originalBytes!).toBeLessThanOrEqual(1024 * 1024);
  }, 120_000);

  it("the same file sent again right after (its answer was lost) gets the first upload's answer, not a second copy", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const gr = await toPhotoStep(j, campaignId, await j.rosterEntry(campaignId, null));
    const good = faceBytes(faceManifest.files.find((f) => f.labels.expected_compliant)!.path);
    const bad = faceBytes(faceManifest.files.find((f) => !f.labels.expected_compliant && f.labels.faces === 1)!.path);
    const up = (bytes: Buffer, source = "CAMERA") => j.call("POST", `/api/submissions/${gr.submissionId}/photos?source=${source}`, { token: gr.token, form: photoForm(bytes) });
    const first = await up(good);
    expect(first.status).toBe(200);
    const again = await up(good);
    expect(again.body.photo.id).toBe(first.body.photo.id);
    expect(again.body.submission).toMatchObject({ state: first.body.submission.state, currentPhotoId: first.body.submission.currentPhotoId });
    expect(await j.deps.db.photo.count({ where: { submissionId: gr.submissionId } })).toBe(1);
    // another photo, then the first file again: a retake, stored and checked anew
    const other = await up(bad);
    expect(other.body.photo.id).not.toBe(first.body.photo.id);
    const back = await up(good);
    expect(back.body.photo.id).not.toBe(first.body.photo.id);
    // the same bytes from the album are held to the album's rules: not the camera upload's answer
    const album = await up(good, "ALBUM");
    expect(album.body.photo.id).not.toBe(back.body.photo.id);
    expect(await j.deps.db.photo.count({ where: { submissionId: gr.submissionId } })).toBe(4);
  });

  it("refuses an empty file, a missing file and a non-multipart body with 400", async () => {
    const empty = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(Buffer.alloc(0)) });
    expect(empty.status).toBe(400);
    const noFile = new FormData();
    noFile.append("note", "hello");
    expect((await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: noFile })).status).toBe(400);
    const json = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, body: { photo: "base64?" } });
    expect(json.status).toBe(400);
    expect(json.body.code).toBe("VALIDATION_FAILED");
  });

  it("refuses standardising a photo that is not the current accepted one (409)", async () => {
    const failing = faceManifest.files.find((f) => !f.labels.expected_compliant && f.labels.faces === 1)!;
    const up = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(faceBytes(failing.path)) });
    expect(up.status).toBe(200);
    const p = await j.deps.db.photo.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    const r = await j.call("POST", `/api/submissions/${g.submissionId}/photos/${p.id}/standardize`, { token: g.token });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/[\u4e00-\u9fa5]/);
  });
});

describe("采集码 image upload (decoded on a worker thread)", () => {
  function codeForm(bytes: Buffer): FormData {
    const f = new FormData();
    f.append("image", new Blob([bytes], { type: "image/png" }), "code.png");
    return f;
  }

  async function consented(campaignId: string) {
    const gr = await j.graduate();
    const start = await j.call("POST", `/api/campaigns/${campaignId}/submission`, { token: gr.token });
    await j.call("POST", `/api/submissions/${start.body.id}/consent`, { token: gr.token, body: { version: 1, clientInfo: { platform: "test" } } });
    return { token: gr.token, id: start.body.id as string };
  }

  it("reads the saved image, shows the masked roster data, and stays responsive to other requests meanwhile", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, null);
    const gr = await consented(campaignId);
    // the code as a phone saves it: on a larger white canvas, JPEG
    const png = await renderCodePng(entry.codeText);
    const jpeg = await sharp(png).extend({ top: 400, bottom: 600, left: 300, right: 300, background: "#ffffff" }).jpeg({ quality: 88 }).toBuffer();
    const [up, health] = await Promise.all([
      j.call("POST", `/api/submissions/${gr.id}/capture-code/upload`, { token: gr.token, form: codeForm(jpeg) }),
      j.call("GET", "/healthz"),
    ]);
    expect(health.status).toBe(200);
    expect(up.status).toBe(200);
    expect(up.body.codeToken).toEqual(expect.any(String));
    expect(JSON.stringify(up.body)).not.toContain(entry.idNumber); // only masked data leaves the server
  }, 60_000);

  it("answers an unreadable picture with CODE_UNREADABLE and a not-an-image with INVALID_IMAGE (422)", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const gr = await consented(campaignId);
    const blank = await sharp({ create: { width: 900, height: 1200, channels: 3, background: "#f0f0f0" } }).jpeg().toBuffer();
    const r1 = await j.call("POST", `/api/submissions/${gr.id}/capture-code/upload`, { token: gr.token, form: codeForm(blank) });
    expect(r1.status).toBe(422);
    expect(r1.body).toMatchObject({ code: "CODE_UNREADABLE", message: expect.stringMatching(/保存/) });
    const r2 = await j.call("POST", `/api/submissions/${gr.id}/capture-code/upload`, { token: gr.token, form: codeForm(Buffer.from("plain text, not a picture")) });
    expect(r2.status).toBe(422);
    expect(r2.body.code).toBe("INVALID_IMAGE");
  }, 60_000);
});
