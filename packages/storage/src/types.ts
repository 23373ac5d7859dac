import type { Readable } from "node:stream";

/** Private object storage. Clients never see raw keys: they get short-lived signed URLs or streamed responses. */
export interface ObjectStorage {
  readonly kind: "local" | "s3";
  put(key: string, body: Buffer, opts?: { contentType?: string }): Promise<void>;
  /** Stores a file without holding it in memory (exports of thousands of photos run to gigabytes). */
  putFile(key: string, file: string, opts?: { contentType?: string }): Promise<void>;
  get(key: string): Promise<Buffer>;
  stream(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** A URL valid for `expiresInSeconds` that serves the object without other credentials. */
  signedUrl(key: string, opts?: { expiresInSeconds?: number; downloadName?: string }): Promise<string>;
  /** Throws when the storage cannot be written and read back (readiness, doctor). */
  healthCheck(): Promise<void>;
}

export class StorageError extends Error {
  constructor(
    readonly code: "OBJECT_NOT_FOUND" | "INVALID_KEY" | "STORAGE_UNAVAILABLE",
    message: string,
  ) {
    super(message);
    this.name = "StorageError";
  }
}

/** Keys are relative, slash-separated, without `..`, so no backend can escape its root. */
export function assertValidKey(key: string): void {
  if (!key || key.length > 512 || key.startsWith("/") || key.split("/").some((p) => p === "" || p === "." || p === "..") || /[\\\0]/.test(key)) {
    throw new StorageError("INVALID_KEY", `invalid object key: ${JSON.stringify(key)}`);
  }
}
