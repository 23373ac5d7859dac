import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// s3rver: an S3-protocol server, run here on loopback
import S3rver from "s3rver";
import { LocalStorage, S3Storage, StorageError, type ObjectStorage } from "@gradphoto/storage";

async function streamToBuffer(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

function contract(name: string, make: () => ObjectStorage) {
  describe(`${name} storage`, () => {
    it("stores, reads, streams, checks and deletes objects", async () => {
      const s = make();
      const body = Buffer.from("照片数据 \u0000\u00ff binary");
      await s.put("photos/a/1.jpg", body, { contentType: "image/jpeg" });
      expect(await s.exists("photos/a/1.jpg")).toBe(true);
      expect((await s.get("photos/a/1.jpg")).equals(body)).toBe(true);
      expect((await streamToBuffer(await s.stream("photos/a/1.jpg"))).equals(body)).toBe(true);
      await s.delete("photos/a/1.jpg");
      expect(await s.exists("photos/a/1.jpg")).toBe(false);
    });

    it("stores a file larger than one upload part, and a small one, without reading it whole", async () => {
      const s = make();
      const dir = mkdtempSync(path.join(os.tmpdir(), "putfile-"));
      // 11 MiB: three 5-MiB parts on S3 (the smallest part size S3 allows), the last one short
      const big = randomBytes(11 * 1024 * 1024 + 123);
      writeFileSync(path.join(dir, "big.zip"), big);
      await s.putFile("exports/big.zip", path.join(dir, "big.zip"), { contentType: "application/zip" });
      expect((await s.get("exports/big.zip")).equals(big)).toBe(true);
      writeFileSync(path.join(dir, "small.zip"), "zip!");
      await s.putFile("exports/small.zip", path.join(dir, "small.zip"));
      expect((await s.get("exports/small.zip")).toString()).toBe("zip!");
      await expect(s.putFile("exports/none.zip", path.join(dir, "missing.zip"))).rejects.toThrow();
      expect(await s.exists("exports/none.zip")).toBe(false);
    });

    it("reports a missing object as OBJECT_NOT_FOUND", async () => {
      await expect(make().get("nope/missing.jpg")).rejects.toMatchObject({ code: "OBJECT_NOT_FOUND" });
    });

    it("refuses keys that could escape the root", async () => {
      for (const bad of ["../x", "/abs", "a//b", "a/../b", ""]) {
        await expect(make().put(bad, Buffer.from("x"))).rejects.toBeInstanceOf(StorageError);
      }
    });

    it("serves a signed URL that works without credentials", async () => {
      const s = make();
      await s.put("exports/x.zip", Buffer.from("zip!"));
      const url = await s.signedUrl("exports/x.zip", { expiresInSeconds: 60 });
      expect(url).toMatch(/^http/);
      if (s.kind === "s3") {
        const res = await fetch(url);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe("zip!");
      }
      await s.healthCheck();
    });
  });
}

const localRoot = mkdtempSync(path.join(os.tmpdir(), "store-"));
const local = new LocalStorage({ root: localRoot, publicBaseUrl: "http://127.0.0.1:1/files", signingSecret: "0123456789abcdef-test" });
contract("local", () => local);

describe("local storage faults", () => {
  it("a write it cannot make (the data folder is not a folder: a broken mount) is STORAGE_UNAVAILABLE, with no temp file left", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "store-fault-"));
    writeFileSync(path.join(dir, "root"), "not a folder");
    const broken = new LocalStorage({ root: path.join(dir, "root"), publicBaseUrl: "http://127.0.0.1:1/files", signingSecret: "0123456789abcdef-test" });
    await expect(broken.put("photos/a/1.jpg", Buffer.from("x"))).rejects.toMatchObject({ name: "StorageError", code: "STORAGE_UNAVAILABLE" });
    writeFileSync(path.join(dir, "src.zip"), "zip!");
    await expect(broken.putFile("exports/x.zip", path.join(dir, "src.zip"))).rejects.toMatchObject({ code: "STORAGE_UNAVAILABLE" });
    // a full disk mid-write: the half-written temp file is removed
    await mkdir(path.join(localRoot, "full"), { recursive: true });
    await expect(local.putFile("full/x.zip", path.join(dir, "missing.zip"))).rejects.toMatchObject({ code: "STORAGE_UNAVAILABLE" });
    expect(readdirSync(path.join(localRoot, "full"))).toEqual([]);
  });
});

describe("local signed URLs", () => {
  it("verifies its own signature and rejects tampering and expiry", async () => {
    const u = new URL(await local.signedUrl("a/b.jpg", { expiresInSeconds: 60 }));
    const exp = Number(u.searchParams.get("exp"));
    const sig = u.searchParams.get("sig")!;
    expect(u.pathname).toBe("/files/a/b.jpg");
    expect(local.verify("a/b.jpg", exp, sig)).toBe(true);
    expect(local.verify("a/c.jpg", exp, sig)).toBe(false);
    expect(local.verify("a/b.jpg", exp + 1, sig)).toBe(false);
    expect(local.verify("a/b.jpg", exp, sig, undefined, (exp + 1) * 1000)).toBe(false);
  });
});

let server: S3rver;
let endpoint = "";
beforeAll(async () => {
  server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: mkdtempSync(path.join(os.tmpdir(), "s3rver-")),
    configureBuckets: [{ name: "gradphoto-test", configs: [] }],
  });
  const addr = (await server.run()) as { address: string; port: number };
  endpoint = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await server?.close();
});
contract(
  "s3",
  () => new S3Storage({ bucket: "gradphoto-test", region: "us-east-1", endpoint, accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true, prefix: "t/", partBytes: 5 * 1024 * 1024 }),
);
