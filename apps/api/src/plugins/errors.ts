import type { FastifyError, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { COMMON_ERRORS } from "@gradphoto/contracts";
import { AppError } from "../lib/errors.js";

/** Maps every failure to `{ code, message, details? }`; never leaks internals in a 500. */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ code: "NOT_FOUND", message: COMMON_ERRORS.NOT_FOUND });
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.statusCode).send({ code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({ path: `${err.validationContext ?? ""}${v.instancePath}`, message: v.message }));
      return reply.status(400).send({ code: "VALIDATION_FAILED", message: COMMON_ERRORS.VALIDATION_FAILED, details });
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
    req.log.error({ err }, "unhandled error");
    return reply.status(500).send({ code: "INTERNAL", message: COMMON_ERRORS.INTERNAL });
  });
});
