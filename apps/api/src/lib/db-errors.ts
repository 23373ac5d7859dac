import { COMMON_ERRORS } from "@gradphoto/contracts";
import { AppError } from "./errors.js";

/** Prisma codes and driver-adapter kinds that mean "the database cannot be reached right now". */
const UNREACHABLE_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "DatabaseDoesNotExist", "AuthenticationFailed", "TransactionAlreadyClosed"]);
const UNREACHABLE_NODE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "57P01", "57P02", "57P03", "53300"]);

interface DbErrorShape {
  name?: string;
  code?: string;
  message?: string;
  meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } };
}

/** Whether an error says the database is down or unreachable (not that a query was wrong). */
export function isDatabaseUnavailable(e: unknown): boolean {
  const err = e as DbErrorShape | undefined;
  if (!err || typeof err !== "object") return false;
  const cause = err.meta?.driverAdapterError?.cause;
  if (err.code && UNREACHABLE_PRISMA.has(err.code)) return true;
  if (cause?.kind && UNREACHABLE_KINDS.has(cause.kind)) return true;
  if (cause?.originalCode && (cause.originalCode.startsWith("08") || UNREACHABLE_NODE.has(cause.originalCode))) return true;
  if (err.code && (UNREACHABLE_NODE.has(err.code) || /^08/.test(err.code))) return true;
  if (err.name === "PrismaClientInitializationError") return true;
  // node-postgres errors a pool connection dies with
  return /Connection terminated|Can't reach database server|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(err.message ?? "");
}

/** One line saying what went wrong with the database (Prisma messages start with a code excerpt). */
export function databaseErrorLine(e: unknown): string {
  const msg = String((e as Error | undefined)?.message ?? e);
  const lines = msg.split("\n").map((l) => l.trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? "unknown database error").slice(0, 300);
}

/**
 * The client error a database error stands for, or null for a real server fault: an unreachable
 * database is 503 DATABASE_UNAVAILABLE; a row that is gone, a unique or foreign-key conflict and
 * text PostgreSQL cannot store (a NUL byte) are the request's problem.
 */
export function databaseAppError(e: unknown): AppError | null {
  if (isDatabaseUnavailable(e)) return new AppError(503, "DATABASE_UNAVAILABLE", COMMON_ERRORS.UNAVAILABLE);
  const err = e as DbErrorShape;
  const sqlState = err.meta?.driverAdapterError?.cause?.originalCode;
  switch (err.code) {
    case "P2025":
      return new AppError(404, "NOT_FOUND", COMMON_ERRORS.NOT_FOUND);
    case "P2002":
    case "P2003":
    case "P2034":
      return new AppError(409, "CONFLICT", COMMON_ERRORS.CONFLICT);
  }
  if (sqlState === "22021" || sqlState === "22P05" || /invalid byte sequence|unsupported Unicode escape/i.test(err.message ?? "")) {
    return new AppError(400, "VALIDATION_FAILED", COMMON_ERRORS.VALIDATION_FAILED, { reason: "text contains a character that cannot be stored" });
  }
  return null;
}
