import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { open, stat } from "node:fs/promises";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { assertValidKey, StorageError, type ObjectStorage } from "./types.js";

export interface S3StorageOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** path-style URLs (MinIO, s3rver, most S3-compatible services) */
  forcePathStyle?: boolean;
  /** key prefix, e.g. "gradphoto/" */
  prefix?: string;
  /** part size of multipart uploads (putFile); S3 requires ≥ 5 MiB for every part but the last */
  partBytes?: number;
}

/** Any S3-compatible store (AWS S3, MinIO, 阿里云 OSS / 腾讯云 COS S3 endpoints). Objects stay private. */
export class S3Storage implements ObjectStorage {
  readonly kind = "s3" as const;
  private readonly client: S3Client;

  constructor(private readonly opts: S3StorageOptions) {
    const cfg: S3ClientConfig = {
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle ?? Boolean(opts.endpoint),
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      // Many S3-compatible servers reject the SDK's default CRC32 trailers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 3,
    };
    this.client = new S3Client(cfg);
  }

  private key(key: string): string {
    assertValidKey(key);
    return `${this.opts.prefix ?? ""}${key}`;
  }

  async put(key: string, body: Buffer, opts: { contentType?: string } = {}): Promise<void> {
    await this.wrap(key, () => this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key), Body: body, ContentType: opts.contentType })));
  }

  /**
   * A file larger than one part goes up as a multipart upload, one part in memory at a time; each part
   * is a buffer, so the SDK's retries resend it whole. A failed upload is aborted (no orphaned parts).
   */
  async putFile(key: string, file: string, opts: { contentType?: string } = {}): Promise<void> {
    const part = Math.max(5 * 1024 * 1024, this.opts.partBytes ?? 32 * 1024 * 1024);
    const { size } = await stat(file);
    const fh = await open(file, "r");
    try {
      const read = async (offset: number, length: number) => {
        const buf = Buffer.allocUnsafe(length);
        const { bytesRead } = await fh.read(buf, 0, length, offset);
        return buf.subarray(0, bytesRead);
      };
      if (size <= part) {
        await this.put(key, await read(0, size), opts);
        return;
      }
      const k = this.key(key);
      const bucket = this.opts.bucket;
      const { UploadId } = await this.wrap(key, () => this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: k, ContentType: opts.contentType })));
      try {
        const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
        for (let n = 1, offset = 0; offset < size; n++, offset += part) {
          const body = await read(offset, Math.min(part, size - offset));
          const r = await this.wrap(key, () => this.client.send(new UploadPartCommand({ Bucket: bucket, Key: k, UploadId, PartNumber: n, Body: body })));
          parts.push({ ETag: r.ETag, PartNumber: n });
        }
        await this.wrap(key, () => this.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: k, UploadId, MultipartUpload: { Parts: parts } })));
      } catch (e) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: k, UploadId })).catch(() => undefined);
        throw e;
      }
    } finally {
      await fh.close();
    }
  }

  async get(key: string): Promise<Buffer> {
    // the body is read inside the wrap too: a connection reset mid-read is STORAGE_UNAVAILABLE
    return this.wrap(key, async () => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }));
      return Buffer.from(await res.Body!.transformToByteArray());
    });
  }

  async stream(key: string): Promise<Readable> {
    const res = await this.wrap(key, () => this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) })));
    return res.Body as Readable;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw unavailable(e);
    }
  }

  async delete(key: string): Promise<void> {
    await this.wrap(key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) })));
  }

  async signedUrl(key: string, opts: { expiresInSeconds?: number; downloadName?: string } = {}): Promise<string> {
    const cmd = new GetObjectCommand({
      Bucket: this.opts.bucket,
      Key: this.key(key),
      ResponseContentDisposition: opts.downloadName ? `attachment; filename*=UTF-8''${encodeURIComponent(opts.downloadName)}` : undefined,
    });
    return getSignedUrl(this.client, cmd, { expiresIn: opts.expiresInSeconds ?? 300 });
  }

  async healthCheck(): Promise<void> {
    const key = `_health/${randomUUID()}`;
    await this.put(key, Buffer.from("ok"));
    await this.get(key);
    await this.delete(key);
  }

  private async wrap<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isNotFound(e)) throw new StorageError("OBJECT_NOT_FOUND", `object not found: ${key}`);
      throw unavailable(e);
    }
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === "NoSuchKey" || err?.name === "NotFound" || err?.$metadata?.httpStatusCode === 404;
}

function unavailable(e: unknown): StorageError {
  return new StorageError("STORAGE_UNAVAILABLE", `object storage error: ${(e as Error).message}`);
}
