import { ApiErrorSchema, type ApiError } from "@gradphoto/contracts";
import type { z } from "zod";
import type { Transport, TransportRequest } from "./transport.js";

/** An error answer of the API: stable `code`, Chinese `message` to show as is. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

const NETWORK_MESSAGE = "网络连接失败，请检查网络后重试";

/**
 * Sends one request and validates the answer with the route's response schema (the same zod schema
 * the server serialises with), so a client never works with a shape the server did not promise.
 */
export class ApiCore {
  token: string | null = null;

  constructor(private readonly transport: Transport) {}

  async request<S extends z.ZodType>(schema: S, req: Omit<TransportRequest, "headers"> & { headers?: Record<string, string> }): Promise<z.output<S>> {
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res;
    try {
      res = await this.transport({ ...req, headers });
    } catch {
      throw new ApiRequestError(0, "NETWORK_ERROR", NETWORK_MESSAGE);
    }
    if (res.status >= 400) {
      const e = ApiErrorSchema.safeParse(res.body);
      const err: ApiError = e.success ? e.data : { code: "HTTP_" + res.status, message: "服务器开小差了，请稍后再试" };
      throw new ApiRequestError(res.status, err.code, err.message, err.details);
    }
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw new ApiRequestError(res.status, "BAD_RESPONSE", "服务器返回的数据有误，请稍后再试", parsed.error.issues);
    return parsed.data;
  }
}
