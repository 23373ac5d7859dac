-- #21: the face comparison provider is chosen per campaign (local model or Tencent Cloud CompareFace),
-- and each comparison records who scored it and why the local model stood in for the cloud.
ALTER TABLE "campaigns" ADD COLUMN "face_provider" TEXT NOT NULL DEFAULT 'local';
ALTER TABLE "comparisons" ADD COLUMN "provider" TEXT NOT NULL DEFAULT 'local';
ALTER TABLE "comparisons" ADD COLUMN "fallback_reason" TEXT;
