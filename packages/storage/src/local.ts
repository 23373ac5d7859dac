import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { assertValidKey, StorageError, type ObjectStorage } from "./types.js";

export interface LocalStorageOptions {
  root: string;
  /** public base URL of the API route that serves signed local objects, e.g. http://127.0.0.1:3000/files */
  publicBaseUrl: string;
  /** HMAC key for signed URLs */
  signingSecret: string;
}

/** Files under a data folder; signed URLs point at the API's /files route, which checks the HMAC. */
export class LocalStorage implements ObjectStorage {
  readonly kind = "local" as const;
  constructor(private readonly opts: LocalStorageOptions) {}

  private file(key: string): string {
    assertValidKey(key);
    return path.join(this.opts.root, ...key.split("/"));
  }

  async put(key: string, body: Buffer): Promise<void> {
    // Write-then-rename so a reader never sees half an object.
    await this.write(key, (tmp) => writeFile(tmp, body));
  }

  async putFile(key: string, file: string): Promise<void> {
    await this.write(key, (tmp) => copyFile(file, tmp));
  }

  /** A full disk or a read-only mount is STORAGE_UNAVAILABLE (a clear 503), and leaves no temp file. */
  private async write(key: string, fill: (tmp: string) => Promise<void>): Promise<void> {
    const f = this.file(key);
    const tmp = `${f}.${randomUUID()}.tmp`;
    try {
      await mkdir(path.dirname(f), { recursive: true });
      await fill(tmp);
      await rename(tmp, f);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new StorageError("STORAGE_UNAVAILABLE", `cannot write ${key}: ${(e as Error).message}`);
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.file(key));
    } catch (e) {
      throw notFound(key, e);
    }
  }

  async stream(key: string): Promise<Readable> {
    const f = this.file(key);
    await stat(f).catch((e: unknown) => {
      throw notFound(key, e);
    });
    return createReadStream(f);
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.file(key)).then(
      () => true,
      () => false,
    );
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async signedUrl(key: string, opts: { expiresInSeconds?: number; downloadName?: string } = {}): Promise<string> {
    assertValidKey(key);
    const exp = Math.floor(Date.now() / 1000) + (opts.expiresInSeconds ?? 300);
    const url = new URL(`${this.opts.publicBaseUrl.replace(/\/$/, "")}/${key.split("/").map(encodeURIComponent).join("/")}`);
    url.searchParams.set("exp", String(exp));
    if (opts.downloadName) url.searchParams.set("name", opts.downloadName);
    url.searchParams.set("sig", sign(this.opts.signingSecret, key, exp, opts.downloadName));
    return url.toString();
  }

  /** Verifies a signature made by signedUrl (used by the API's /files route). */
  verify(key: string, exp: number, sig: string, downloadName?: string, now = Date.now()): boolean {
    if (!Number.isFinite(exp) || exp * 1000 < now) return false;
    const expected = Buffer.from(sign(this.opts.signingSecret, key, exp, downloadName));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  async healthCheck(): Promise<void> {
    const key = `_health/${randomUUID()}`;
    try {
      await this.put(key, Buffer.from("ok"));
      await this.get(key);
      await this.delete(key);
    } catch (e) {
      throw new StorageError("STORAGE_UNAVAILABLE", `local storage at ${this.opts.root} is not writable: ${(e as Error).message}`);
    }
  }
}

function sign(secret: string, key: string, exp: number, name?: string): string {
  return createHmac("sha256", secret).update(`${key}\n${exp}\n${name ?? ""}`).digest("base64url");
}

function notFound(key: string, e: unknown): StorageError {
  if ((e as NodeJS.ErrnoException)?.code === "ENOENT") return new StorageError("OBJECT_NOT_FOUND", `object not found: ${key}`);
  return new StorageError("STORAGE_UNAVAILABLE", `cannot read ${key}: ${(e as Error).message}`);
}
