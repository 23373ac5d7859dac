-- Personal-data retention: per-school period after a campaign closes; when the purge ran.
ALTER TABLE "schools" ADD COLUMN "retention_days" INTEGER NOT NULL DEFAULT 180;
ALTER TABLE "campaigns" ADD COLUMN "purged_at" TIMESTAMPTZ(6);
