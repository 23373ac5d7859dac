import type { FastifyRequest } from "fastify";
import type { Multipart } from "@fastify/multipart";
import { AppError, commonError } from "./errors.js";

/**
 * Reads a multipart upload that must hold exactly one file in field `field` and nothing else.
 * The whole body is consumed on success; on a refusal the rest of the body is drained by the
 * connection guard (plugins/connection.ts), so a keep-alive connection is never left half-read.
 */
export async function readSingleFile(req: FastifyRequest, opts: { field: string; maxBytes: number; what: string }): Promise<{ bytes: Buffer; filename: string }> {
  if (!req.isMultipart()) throw new AppError(400, "VALIDATION_FAILED", `请以表单方式上传${opts.what}（字段 ${opts.field}）`);
  let bytes: Buffer | undefined;
  let filename = "";
  // files: 1 → a second file ends parsing with FST_FILES_LIMIT; fields are never expected.
  // (The parser starts on the first next(): a bad content-type header, e.g. without a boundary, throws there.)
  const parts: AsyncIterator<Multipart> = req.parts({ limits: { fileSize: opts.maxBytes, files: 1, fields: 0, parts: 2, fieldSize: 1024, headerPairs: 20 } })[Symbol.asyncIterator]();
  try {
    for (let r = await parts.next(); !r.done; r = await parts.next()) {
      const part = r.value;
      if (part.type !== "file") throw unexpectedField(part.fieldname);
      if (part.fieldname !== opts.field) throw unexpectedField(part.fieldname);
      bytes = await part.toBuffer();
      filename = part.filename ?? "";
      // @fastify/multipart only throws when it sees the truncation between chunks; the last chunk can slip by.
      if (part.file.truncated) throw commonError(413, "PAYLOAD_TOO_LARGE");
    }
  } catch (e) {
    // A limit hit while a file is being read destroys that file ("Premature close"); the parser
    // hands out the limit itself as its next value.
    if ((e as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE") throw multipartError((await nextError(parts)) ?? e);
    throw multipartError(e);
  }
  if (!bytes) throw new AppError(400, "FILE_MISSING", `没有收到${opts.what}，请重新选择`);
  return { bytes, filename };
}

async function nextError(parts: AsyncIterator<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1000)));
  const next = parts.next().then(() => null, (e: unknown) => e);
  const r = await Promise.race([next, timeout]);
  clearTimeout(timer);
  return r;
}

function unexpectedField(name: string): AppError {
  return new AppError(400, "UNEXPECTED_FIELD", "上传内容中有多余的字段，请只上传一个文件", { field: name.slice(0, 64) });
}

/** Every error @fastify/multipart and busboy can raise, as a client error with a stable code. */
export function multipartError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: string; message?: string } | undefined;
  switch (err?.code) {
    case "FST_REQ_FILE_TOO_LARGE":
      return commonError(413, "PAYLOAD_TOO_LARGE");
    case "FST_FILES_LIMIT":
      return new AppError(400, "TOO_MANY_FILES", "一次只能上传一个文件");
    case "FST_FIELDS_LIMIT":
    case "FST_PARTS_LIMIT":
      return new AppError(400, "UNEXPECTED_FIELD", "上传内容中有多余的字段，请只上传一个文件");
    case "FST_PROTO_VIOLATION":
      return new AppError(400, "UNEXPECTED_FIELD", "上传内容中有不允许的字段名");
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
      return new AppError(400, "VALIDATION_FAILED", "请以表单方式上传文件");
    default:
      // busboy's parse errors ("Malformed part header", "Unexpected end of form", a boundary missing)
      // and a stream cut short ("Premature close") are all a broken request body.
      return new AppError(400, "MALFORMED_UPLOAD", "上传的数据不完整或格式有误，请重新上传", { reason: String(err?.message ?? e).slice(0, 120) });
  }
}
