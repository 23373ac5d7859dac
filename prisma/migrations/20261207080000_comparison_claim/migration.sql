-- One comparison at a time per graduate: the confirm route claims the submission before it runs the
-- comparison (a double tap or a second phone would otherwise run it, and with Tencent Cloud bill it, twice).
ALTER TABLE "submissions" ADD COLUMN "comparing_since" TIMESTAMPTZ(6);
