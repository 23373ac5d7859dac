import path from "node:path";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { LocalStorage, StorageError, assertValidKey } from "@gradphoto/storage";
import { AppError } from "../lib/errors.js";

const TYPES: Record<string, string> = { ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".zip": "application/zip", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };

/** Serves local-storage objects behind HMAC-signed, expiring URLs (S3 serves its own presigned URLs). */
export const fileRoutes: FastifyPluginAsyncZod = async (app) => {
  const { storage } = app.deps;
  if (!(storage instanceof LocalStorage)) return;
  app.get(
    "/files/*",
    {
      config: { auth: "public" },
      schema: {
        hide: true,
        params: z.object({ "*": z.string() }),
        querystring: z.object({ exp: z.coerce.number(), sig: z.string(), name: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const key = req.params["*"];
      const { exp, sig, name } = req.query;
      // A key that no object can have (e.g. `..%2f..`) is simply not there.
      try {
        assertValidKey(key);
      } catch {
        throw new AppError(404, "NOT_FOUND", "文件不存在");
      }
      if (!storage.verify(key, exp, sig, name)) throw new AppError(403, "LINK_EXPIRED", "链接已失效，请刷新页面后重试");
      try {
        const stream = await storage.stream(key);
        void reply.header("content-type", TYPES[path.extname(key).toLowerCase()] ?? "application/octet-stream");
        void reply.header("cache-control", "private, max-age=60");
        if (name) void reply.header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
        return reply.send(stream);
      } catch (e) {
        if (e instanceof StorageError && e.code === "OBJECT_NOT_FOUND") throw new AppError(404, "NOT_FOUND", "文件不存在");
        throw e;
      }
    },
  );
};
