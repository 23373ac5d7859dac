// Fault-drill finding: SIGTERM during a slow upload from a keep-alive client took 77 s to exit (the
// in-flight answer said keep-alive, so the client's connection held the process up to the 72 s
// keep-alive limit). Now: the in-flight upload is answered with `Connection: close`, idle sockets
// are closed, and the process (HTTP, job queue, pools) exits within 10 s.
import { beforeAll, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "@gradphoto/testkit";
import { faceBytes, faceManifest, startJourney, toPhotoStep } from "./journey-harness.js";
import { startApiProcess, type ApiProcess } from "./api-process.js";
import { RawConnection, getHead, json, multipart, postHead } from "./raw-http.js";

let api: ApiProcess;
let g: { token: string; submissionId: string };

beforeAll(async () => {
  const j = await startJourney();
  const campaignId = await j.campaign({ schoolPaid: true });
  g = await toPhotoStep(j, campaignId, await j.rosterEntry(campaignId, null));
  // workers on, as in production: the queue is part of what must stop in time
  api = await startApiProcess({ DATABASE_URL: testDatabaseUrl(), RUN_WORKERS: "true" });
}, 180_000);

describe("graceful shutdown", () => {
  it("SIGTERM during a slow upload from a keep-alive client: the upload is answered, and the process exits within 10 s", async () => {
    // an idle keep-alive client (as a proxy's connection pool holds them)
    const idle = await RawConnection.open(api.port);
    await idle.send(getHead("/healthz"));
    expect((await idle.read()).headers.connection).toBe("keep-alive");

    // a slow upload: a real photo, sent in 20 pieces over ~3 s (after one upload has loaded the
    // models, as on a server that has been running for a while)
    const photo = faceBytes(faceManifest.files.find((f) => f.labels.expected_compliant)!.path);
    const { body, contentType } = multipart([{ name: "photo", filename: "a.jpg", type: "image/jpeg", data: photo }]);
    const warm = await RawConnection.open(api.port);
    await warm.send(postHead(`/api/submissions/${g.submissionId}/photos`, contentType, body.length, { authorization: `Bearer ${g.token}` }), body);
    expect((await warm.read(60_000)).status).toBe(200);
    warm.close();
    const up = await RawConnection.open(api.port);
    const sending = up.send(postHead(`/api/submissions/${g.submissionId}/photos`, contentType, body.length, { authorization: `Bearer ${g.token}` }), body, { chunks: 20, pauseMs: 150 });
    await new Promise((r) => setTimeout(r, 600));

    const t0 = Date.now();
    api.child.kill("SIGTERM");
    await sending;
    const answer = await up.read(15_000).catch((e: Error) => {
      throw new Error(`${e.message}; API log: ${api.out().slice(-1500)} ${api.err().slice(-1500)}`);
    });
    expect(answer.status, answer.body).toBe(200);
    expect(json(answer).photo.id).toEqual(expect.any(String));
    expect(answer.headers.connection).toBe("close");

    const code = await api.exited;
    const ms = Date.now() - t0;
    console.log(`shutdown: SIGTERM → exit in ${ms} ms (slow upload in flight, one idle keep-alive client)`);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    // the idle client's socket was closed by the server, not left to its keep-alive timeout
    expect(idle.closed).toBe(true);
    expect(api.out()).toMatch(/shutdown complete/);
  }, 60_000);
});
