import type { FastifyRequest } from "fastify";
import type { Db } from "@gradphoto/db";
import { graduateOf } from "../plugins/auth.js";
import { notFound } from "./errors.js";

/**
 * The graduate's own submission, or 404: another graduate's submission is indistinguishable
 * from one that does not exist.
 */
export async function ownSubmission(db: Db, req: FastifyRequest, submissionId: string) {
  const g = graduateOf(req);
  const s = await db.submission.findUnique({ where: { id: submissionId }, include: { campaign: true } });
  if (!s || s.wechatUserId !== g.wechatUserId) throw notFound();
  return s;
}
