-- A refunded graduate may pay again only when the school allows it.
ALTER TABLE "campaigns" ADD COLUMN "repay_after_refund" BOOLEAN NOT NULL DEFAULT false;
