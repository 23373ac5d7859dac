import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  AcceptConsentRequestSchema,
  ApiErrorSchema,
  CampaignPublicSchema,
  ConsentTextSchema,
  SubmissionViewSchema,
} from "@gradphoto/contracts";
import { AppError, notFound } from "../lib/errors.js";
import { ownSubmission } from "../lib/ownership.js";
import { graduateOf } from "../plugins/auth.js";
import { applyEvent } from "../services/transitions.js";
import { submissionView } from "../services/submission-view.js";

const Params = z.object({ id: z.string().uuid() });
const bearer = [{ bearer: [] }];

/** Campaign info, the graduate's submission, and the 温馨提示 consent. */
export const graduateBasicsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.get(
    "/api/campaigns/:id",
    { config: { auth: "public" }, schema: { tags: ["graduate"], summary: "Campaign shown on the home page", params: Params, response: { 200: CampaignPublicSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const c = await db.campaign.findUnique({ where: { id: req.params.id }, include: { school: true } });
      if (!c || c.status === "DRAFT") throw notFound();
      const now = Date.now();
      const t = (c.notifyTemplates ?? {}) as { reviewPassed?: string; reviewRejected?: string };
      return {
        id: c.id,
        name: c.name,
        schoolName: c.school.name,
        cohort: c.cohort,
        opensAt: c.opensAt.toISOString(),
        closesAt: c.closesAt.toISOString(),
        open: c.status === "OPEN" && c.opensAt.getTime() <= now && now < c.closesAt.getTime(),
        feeFen: c.schoolPaid ? 0 : c.feeFen,
        schoolPaid: c.schoolPaid || c.feeFen === 0,
        consentVersion: c.consentVersion,
        contacts: { customerServicePhone: c.customerServicePhone, customerServiceHours: c.customerServiceHours, registrarContact: c.registrarContact, paymentContact: c.paymentContact },
        notifyTemplates: { reviewPassed: t.reviewPassed, reviewRejected: t.reviewRejected },
      };
    },
  );

  app.get(
    "/api/campaigns/:id/consent",
    { config: { auth: "public" }, schema: { tags: ["graduate"], summary: "Current 温馨提示 text", params: Params, response: { 200: ConsentTextSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const c = await db.campaign.findUnique({ where: { id: req.params.id } });
      if (!c) throw notFound();
      const text = await db.consentText.findUnique({ where: { campaignId_version: { campaignId: c.id, version: c.consentVersion } } });
      if (!text) throw notFound();
      return { version: text.version, text: text.text };
    },
  );

  app.post(
    "/api/campaigns/:id/submission",
    {
      config: { auth: "graduate" },
      schema: { tags: ["graduate"], summary: "Start (or resume) the graduate's submission for a campaign", security: bearer, params: Params, response: { 200: SubmissionViewSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const g = graduateOf(req);
      const c = await db.campaign.findUnique({ where: { id: req.params.id } });
      if (!c || c.status === "DRAFT") throw notFound();
      const existing = await db.submission.findUnique({ where: { wechatUserId_campaignId: { wechatUserId: g.wechatUserId, campaignId: c.id } } });
      if (existing) return submissionView(db, existing.id);
      const now = Date.now();
      if (c.status !== "OPEN" || now < c.opensAt.getTime() || now >= c.closesAt.getTime()) {
        throw new AppError(409, "CAMPAIGN_CLOSED", "本次采集不在开放时间内");
      }
      const s = await db.submission
        .create({ data: { campaignId: c.id, wechatUserId: g.wechatUserId, freeRetakesLeft: c.freeRetakes } })
        .catch(async (e: { code?: string }) => {
          // Two taps at once: the unique (user, campaign) index keeps one.
          if (e.code === "P2002") return db.submission.findUniqueOrThrow({ where: { wechatUserId_campaignId: { wechatUserId: g.wechatUserId, campaignId: c.id } } });
          throw e;
        });
      return submissionView(db, s.id);
    },
  );

  app.get(
    "/api/submissions/:id",
    { config: { auth: "graduate" }, schema: { tags: ["graduate"], summary: "The graduate's submission and next step", security: bearer, params: Params, response: { 200: SubmissionViewSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      return submissionView(db, s.id);
    },
  );

  app.post(
    "/api/submissions/:id/consent",
    {
      config: { auth: "graduate" },
      schema: { tags: ["graduate"], summary: "Accept the 温馨提示 (a new version must be accepted again)", security: bearer, params: Params, body: AcceptConsentRequestSchema, response: { 200: SubmissionViewSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      if (req.body.version !== s.campaign.consentVersion) {
        throw new AppError(409, "CONSENT_OUTDATED", "温馨提示已更新，请重新阅读后同意", { currentVersion: s.campaign.consentVersion });
      }
      const g = graduateOf(req);
      await db.$transaction(async (tx) => {
        await tx.consent.upsert({
          where: { wechatUserId_campaignId_version: { wechatUserId: g.wechatUserId, campaignId: s.campaignId, version: req.body.version } },
          update: {},
          create: { wechatUserId: g.wechatUserId, campaignId: s.campaignId, version: req.body.version, clientInfo: req.body.clientInfo, ip: req.ip },
        });
        await applyEvent(tx, s.id, { type: "CONSENT_ACCEPTED" }, { type: "GRADUATE", id: g.wechatUserId, ip: req.ip }, { consentVersion: req.body.version });
      });
      return submissionView(db, s.id);
    },
  );
};
