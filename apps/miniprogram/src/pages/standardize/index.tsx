import { Image, Text, View } from "@tarojs/components";
import { useState } from "react";
import type { Photo } from "@gradphoto/api-client";
import { api, ApiRequestError } from "../../lib/api";
import { countdown, shortDateTime } from "../../lib/format";
import { goStep } from "../../lib/flow";
import { useAction, useAsync, useCountdown, useSubmission } from "../../lib/hooks";
import { session } from "../../lib/session";
import { Button, Card, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import "./index.css";

const DAILY = 3;

export default function Standardize() {
  const sub = useSubmission(["PHOTO_CHECKED", "STANDARDIZED"]);
  const photo = useAsync(async (): Promise<Photo> => {
    const s = session.get();
    const view = s.submission ?? (await api.submission(s.submissionId!));
    // asked for every time: the photo's links expire after 15 minutes, and the app may have sat in the
    // background longer than that with the photo held from an earlier page
    return api.photo(view.id, view.currentPhotoId!);
  }, []);
  const act = useAction();
  const [blockedUntil, setBlockedUntil] = useState<string | null>(null);

  const quota = sub.data?.quota;
  const nextAllowedAt = blockedUntil ?? (quota && quota.remainingToday <= 0 ? quota.nextAllowedAt : null);
  const left = useCountdown(nextAllowedAt);
  const coolingDown = Boolean(nextAllowedAt) && left > 0;

  const run = () =>
    act.run(async () => {
      try {
        const r = await api.standardize(sub.data!.id, photo.data!.id);
        session.set({ photo: r.photo, submission: r.submission, standardize: r });
        photo.setData(r.photo);
        sub.setData(r.submission);
      } catch (e) {
        if (e instanceof ApiRequestError && e.code === "STANDARDIZE_QUOTA_EXCEEDED") {
          const at = (e.details as { nextAllowedAt?: string } | undefined)?.nextAllowedAt;
          if (at) setBlockedUntil(at);
        }
        throw e;
      }
    });

  if (sub.loading || photo.loading) return <Screen step="standardize"><Loading /></Screen>;
  const error = sub.error ?? photo.error;
  if (error || !sub.data || !photo.data) return <Screen step="standardize"><ErrorState message={error ?? "加载失败"} onRetry={() => void Promise.all([sub.reload(), photo.reload()])} /></Screen>;
  const p = photo.data;
  const done = Boolean(p.standardizedUrl) && sub.data.state === "STANDARDIZED";
  const failedNow = p.compliant === false;
  const q = sub.data.quota;
  const out = session.get().standardize?.output;

  return (
    <Screen
      step="standardize"
      subtitle="自动裁剪并更换为标准浅蓝背景"
      testId="page-standardize"
      footer={
        done ? (
          <>
            <Button onClick={() => void goStep("submit")}>满意，下一步</Button>
            <Button kind="secondary" onClick={() => void goStep("capture")}>
              不满意，重新拍摄
            </Button>
          </>
        ) : failedNow ? (
          <Button onClick={() => void goStep("capture")}>重新拍摄（免费）</Button>
        ) : (
          <>
            <Button onClick={() => void run()} loading={act.busy} disabled={coolingDown}>
              {coolingDown ? `${countdown(left)} 后可再次制作` : act.busy ? "正在制作标准照…" : `开始标准化（今日剩余 ${q.remainingToday} 次）`}
            </Button>
            <Button kind="secondary" disabled={act.busy} onClick={() => void goStep("capture")}>
              重新拍摄
            </Button>
          </>
        )
      }
    >
      {act.error ? <Notice type="error" title="未能完成标准化">{act.error}</Notice> : null}
      {coolingDown ? (
        <View className="cooldown" data-testid="cooldown">
          <View className="cooldown-title">今日标准化次数已用完</View>
          <View className="cooldown-timer">{countdown(left)}</View>
          <View className="cooldown-desc">每日限 {DAILY} 次，冷静期 24 小时。可于 {shortDateTime(nextAllowedAt!)} 后再次制作。</View>
          <View className="cooldown-desc">冷静期内仍可免费重拍照片并完成质量检测。</View>
        </View>
      ) : null}
      {failedNow ? (
        <Notice type="warn" title="这张照片无法完成标准化">
          {[p.error?.message, ...p.checks.filter((c) => !c.passed && c.severity === "error").map((c) => c.message)].filter(Boolean).join("；") || "请按拍照说明重新拍摄"}。本次不计入次数。
        </Notice>
      ) : null}
      <Card title="标准化前后对比">
        <View className="pair">
          <View className="pair-item">
            <View className="pair-img">
              <Image className="fill" src={p.originalUrl} mode="aspectFill" />
            </View>
            <Text className="pair-label">原照片</Text>
          </View>
          <View className="pair-arrow">→</View>
          <View className="pair-item">
            <View className="pair-img pair-after">
              {p.standardizedUrl ? (
                <Image className="fill" src={p.standardizedUrl} mode="aspectFill" />
              ) : act.busy ? (
                <View className="pair-placeholder"><View className="spinner" /><Text className="muted">制作中…</Text></View>
              ) : (
                <View className="pair-placeholder"><Text className="muted">标准化后在这里显示</Text></View>
              )}
            </View>
            <Text className="pair-label">{p.standardizedUrl ? "标准照（480×640）" : "标准照"}</Text>
          </View>
        </View>
        {done && out ? <View className="muted center">{out.width}×{out.height} 像素 · {Math.round(out.bytes / 1024)} KB · JPG</View> : null}
      </Card>
      <Card title="今日标准化次数">
        <View className="quota">
          {Array.from({ length: DAILY }, (_, i) => (
            <View key={i} className={`quota-dot ${i < q.usedToday ? "used" : ""}`} />
          ))}
          <Text className="quota-text">
            已用 {q.usedToday} 次，剩余 <Text className="quota-left">{q.remainingToday}</Text> 次
          </Text>
        </View>
        <View className="muted">照片标准化（裁剪换背景）每日限 {DAILY} 次，用完后需等待 24 小时。拍摄和质量检测不限次数。</View>
      </Card>
    </Screen>
  );
}
