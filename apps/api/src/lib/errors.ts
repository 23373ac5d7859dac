import { COMMON_ERRORS, type CommonErrorCode } from "@gradphoto/contracts";

/** An error meant for the client: HTTP status, stable code, Chinese message. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export function commonError(status: number, code: CommonErrorCode, details?: unknown): AppError {
  return new AppError(status, code, COMMON_ERRORS[code], details);
}

export const notFound = (): AppError => commonError(404, "NOT_FOUND");
export const forbidden = (): AppError => commonError(403, "FORBIDDEN");
export const unauthenticated = (): AppError => commonError(401, "UNAUTHENTICATED");
