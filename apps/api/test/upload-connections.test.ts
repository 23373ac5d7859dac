// Attack-run findings F1/F2 as regression tests, against the real API process on one raw keep-alive
// socket: every bad upload gets a 4xx with a stable code, and the next request on the same
// connection is still answered (a half-read body used to poison the connection for ~73 s).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "@gradphoto/testkit";
import { faceBytes, faceManifest, startJourney, toPhotoStep, type Journey } from "./journey-harness.js";
import { startApiProcess, type ApiProcess } from "./api-process.js";
import { RawConnection, getHead, json, multipart, postHead, type Part } from "./raw-http.js";

let j: Journey;
let api: ApiProcess;
let g: { token: string; submissionId: string };
let consented: { token: string; id: string };
const jpeg = () => faceBytes(faceManifest.files.find((f) => f.labels.expected_compliant)!.path);

beforeAll(async () => {
  j = await startJourney();
  const campaignId = await j.campaign({ schoolPaid: true });
  g = await toPhotoStep(j, campaignId, await j.rosterEntry(campaignId, null));
  const gr = await j.graduate();
  const start = await j.call("POST", `/api/campaigns/${campaignId}/submission`, { token: gr.token });
  await j.call("POST", `/api/submissions/${start.body.id}/consent`, { token: gr.token, body: { version: 1, clientInfo: { platform: "test" } } });
  consented = { token: gr.token, id: start.body.id };
  api = await startApiProcess({ DATABASE_URL: testDatabaseUrl() });
}, 180_000);

async function upload(c: RawConnection, route: string, parts: Part[], opts: { token?: string; boundary?: string; noEnd?: boolean } = {}) {
  const { body, contentType } = multipart(parts, opts);
  await c.send(postHead(route, contentType, body.length, opts.token === "" ? {} : { authorization: `Bearer ${opts.token ?? g.token}` }), body);
  return c.read(30_000);
}

/** The connection is still usable: the next request on it is answered promptly. */
async function stillAnswers(c: RawConnection) {
  await c.send(getHead("/healthz"));
  const r = await c.read(5_000);
  expect(r.status).toBe(200);
  expect(json(r)).toEqual({ status: "ok" });
}

describe("bad uploads on a keep-alive connection (F1, F2)", () => {
  const photos = () => `/api/submissions/${g.submissionId}/photos`;
  const file = (name = "photo", data: Buffer | string = jpeg()): Part => ({ name, filename: "a.jpg", type: "image/jpeg", data });

  const cases: Array<{ what: string; send: (c: RawConnection) => Promise<Awaited<ReturnType<typeof upload>>>; status: number; code: string }> = [
    { what: "two files in one upload (the attack request)", send: (c) => upload(c, photos(), [file(), file()]), status: 400, code: "TOO_MANY_FILES" },
    { what: "more than 10 fields (was 500 Premature close)", send: (c) => upload(c, photos(), [file(), ...Array.from({ length: 12 }, (_, i) => ({ name: `f${i}`, data: "x" }))]), status: 400, code: "UNEXPECTED_FIELD" },
    { what: "12 fields before the file", send: (c) => upload(c, photos(), [...Array.from({ length: 12 }, (_, i) => ({ name: `f${i}`, data: "x" })), file()]), status: 400, code: "UNEXPECTED_FIELD" },
    { what: "a file under an unknown field name", send: (c) => upload(c, photos(), [file("image")]), status: 400, code: "UNEXPECTED_FIELD" },
    { what: "a prototype field name", send: (c) => upload(c, photos(), [{ name: "__proto__", data: "x" }, file()]), status: 400, code: "UNEXPECTED_FIELD" },
    { what: "no file at all", send: (c) => upload(c, photos(), [{ name: "note", data: "hello" }]), status: 400, code: "UNEXPECTED_FIELD" },
    { what: "an empty form", send: (c) => upload(c, photos(), []), status: 400, code: "FILE_MISSING" },
    { what: "a body cut off before its closing boundary", send: (c) => upload(c, photos(), [file()], { noEnd: true }), status: 400, code: "MALFORMED_UPLOAD" },
    { what: "a wrong boundary", send: async (c) => { const { body } = multipart([file()]); await c.send(postHead(photos(), "multipart/form-data; boundary=nope", body.length, { authorization: `Bearer ${g.token}` }), body); return c.read(); }, status: 400, code: "FILE_MISSING" },
    { what: "a text file", send: (c) => upload(c, photos(), [file("photo", "this is not an image at all")]), status: 422, code: "INVALID_IMAGE" },
    { what: "a truncated JPEG", send: (c) => upload(c, photos(), [file("photo", Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4000)]))]), status: 422, code: "INVALID_IMAGE" },
    { what: "a GIF", send: (c) => upload(c, photos(), [file("photo", Buffer.concat([Buffer.from("GIF89a"), randomBytes(200)]))]), status: 422, code: "UNSUPPORTED_FORMAT" },
    { what: "a 16 MB file (over the limit)", send: (c) => upload(c, photos(), [file("photo", randomBytes(16 * 1024 * 1024))]), status: 413, code: "PAYLOAD_TOO_LARGE" },
    { what: "a 2 MB upload to a submission that is not the caller's", send: (c) => upload(c, `/api/submissions/${consented.id}/photos`, [file("photo", randomBytes(2 * 1024 * 1024))]), status: 404, code: "NOT_FOUND" },
    { what: "a 2 MB upload without a token", send: (c) => upload(c, photos(), [file("photo", randomBytes(2 * 1024 * 1024))], { token: "" }), status: 401, code: "UNAUTHENTICATED" },
    { what: "a body cut off to the free pre-check (was 500)", send: (c) => upload(c, `/api/submissions/${g.submissionId}/photo-precheck`, [file()], { noEnd: true }), status: 400, code: "MALFORMED_UPLOAD" },
    { what: "two files to the free pre-check", send: (c) => upload(c, `/api/submissions/${g.submissionId}/photo-precheck`, [file(), file()]), status: 400, code: "TOO_MANY_FILES" },
    { what: "two images to the 采集码 upload", send: (c) => upload(c, `/api/submissions/${consented.id}/capture-code/upload`, [file("image"), file("image")], { token: consented.token }), status: 400, code: "TOO_MANY_FILES" },
    { what: "13 fields to the 采集码 upload", send: (c) => upload(c, `/api/submissions/${consented.id}/capture-code/upload`, [file("image"), ...Array.from({ length: 13 }, (_, i) => ({ name: `f${i}`, data: "x" }))], { token: consented.token }), status: 400, code: "UNEXPECTED_FIELD" },
    { what: "a 采集码 under the field name photo", send: (c) => upload(c, `/api/submissions/${consented.id}/capture-code/upload`, [file("photo")], { token: consented.token }), status: 400, code: "UNEXPECTED_FIELD" },
  ];

  it("answers each with a 4xx and a stable code, and the same connection answers the next request", async () => {
    const c = await RawConnection.open(api.port);
    try {
      for (const k of cases) {
        const r = await k.send(c).catch((e: Error) => {
          throw new Error(`${k.what}: ${e.message}`);
        });
        expect({ what: k.what, status: r.status, code: json(r).code }, JSON.stringify(json(r).details)).toEqual({ what: k.what, status: k.status, code: k.code });
        expect(json(r).message, k.what).toMatch(/[\u4e00-\u9fa5]/);
        expect(r.headers.connection, k.what).not.toBe("close");
        await stillAnswers(c);
      }
      // and a good upload on the very same connection still works
      const ok = await upload(c, photos(), [file()]);
      expect(ok.status).toBe(200);
      await stillAnswers(c);
    } finally {
      c.close();
    }
  }, 180_000);

  it("stored nothing for the refused uploads: one photo row and one original (the good one)", async () => {
    const rows = await j.deps.db.photo.findMany({ where: { submissionId: g.submissionId } });
    expect(rows).toHaveLength(1);
    const dir = path.join(api.dataDir, "objects", "photos", g.submissionId);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([rows[0]!.id]);
  });

  it("closes (rather than reads) a refused body of unknown or huge size, and answers it first", async () => {
    const c = await RawConnection.open(api.port);
    // chunked, no length: the answer comes with Connection: close
    await c.send(`POST ${photos()} HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\ncontent-type: multipart/form-data; boundary=b\r\ntransfer-encoding: chunked\r\n\r\n`);
    const r = await c.read();
    expect(r.status).toBe(401);
    expect(r.headers.connection).toBe("close");
    c.close();
  });
});
