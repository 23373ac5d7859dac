import type { FastifyError, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { COMMON_ERRORS } from "@gradphoto/contracts";
import { StorageError } from "@gradphoto/storage";
import { AppError } from "../lib/errors.js";
import { multipartError } from "../lib/upload.js";
import { databaseAppError, databaseErrorLine } from "../lib/db-errors.js";

const MULTIPART_CODES = new Set(["FST_REQ_FILE_TOO_LARGE", "FST_FILES_LIMIT", "FST_FIELDS_LIMIT", "FST_PARTS_LIMIT", "FST_PROTO_VIOLATION", "FST_INVALID_MULTIPART_CONTENT_TYPE", "FST_INVALID_JSON_FIELD_ERROR"]);

/** Maps every failure to `{ code, message, details? }`; never leaks internals in a 500. */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ code: "NOT_FOUND", message: COMMON_ERRORS.NOT_FOUND });
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode >= 500) req.log.warn({ code: err.code, cause: err.cause }, "service fault answered as a clear error");
      return reply.status(err.statusCode).send({ code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({ path: `${err.validationContext ?? ""}${v.instancePath}`, message: v.message }));
      return reply.status(400).send({ code: "VALIDATION_FAILED", message: COMMON_ERRORS.VALIDATION_FAILED, details });
    }
    if (typeof err.code === "string" && MULTIPART_CODES.has(err.code)) {
      const e = multipartError(err);
      return reply.status(e.statusCode).send({ code: e.code, message: e.message });
    }
    if (err instanceof StorageError) {
      // An invalid key names no object (e.g. /files/..%2f..); a storage outage is the server's.
      if (err.code === "STORAGE_UNAVAILABLE") {
        req.log.error({ err }, "storage unavailable");
        return reply.status(503).send({ code: "STORAGE_UNAVAILABLE", message: COMMON_ERRORS.UNAVAILABLE });
      }
      return reply.status(404).send({ code: "NOT_FOUND", message: COMMON_ERRORS.NOT_FOUND });
    }
    if (err.statusCode === 429) {
      return reply.status(429).send({ code: "RATE_LIMITED", message: COMMON_ERRORS.RATE_LIMITED });
    }
    if (err.code === "FST_REQ_FILE_TOO_LARGE" || err.code === "FST_ERR_CTP_BODY_TOO_LARGE" || err.statusCode === 413) {
      return reply.status(413).send({ code: "PAYLOAD_TOO_LARGE", message: COMMON_ERRORS.PAYLOAD_TOO_LARGE });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 && !isResponseSerializationError(err)) {
      // Fastify's own client errors (bad JSON, wrong content type …)
      return reply.status(err.statusCode).send({ code: "VALIDATION_FAILED", message: COMMON_ERRORS.VALIDATION_FAILED, details: { reason: err.message } });
    }
    const dbError = databaseAppError(err);
    if (dbError) {
      if (dbError.statusCode >= 500) req.log.warn({ err: databaseErrorLine(err) }, "database unavailable");
      return reply.status(dbError.statusCode).send({ code: dbError.code, message: dbError.message, ...(dbError.details !== undefined ? { details: dbError.details } : {}) });
    }
    req.log.error({ err }, "unhandled error");
    return reply.status(500).send({ code: "INTERNAL", message: COMMON_ERRORS.INTERNAL });
  });
});
