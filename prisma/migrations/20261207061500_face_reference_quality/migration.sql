-- #21: the admission photo's quality is recorded with every comparison, and a comparison under 80
-- against a low-quality admission photo goes to the school's review with its reason.
ALTER TABLE "comparisons" ADD COLUMN "reference_quality" JSONB;
ALTER TABLE "comparisons" ADD COLUMN "referral_reason" TEXT;
