-- 订阅消息 sends that survive a worker crash and a long WeChat outage (see apps/api/src/jobs/notify.ts).
ALTER TYPE "notification_status" ADD VALUE IF NOT EXISTS 'MAYBE_SENT';
ALTER TABLE "notifications" ADD COLUMN "send_started_at" TIMESTAMPTZ(6);
ALTER TABLE "notifications" ADD COLUMN "auto_resend" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "notifications" ADD COLUMN "resends" INTEGER NOT NULL DEFAULT 0;
