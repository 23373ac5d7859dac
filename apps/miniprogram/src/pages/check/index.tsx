import { Image, Text, View } from "@tarojs/components";
import { useState } from "react";
import type { Photo } from "@gradphoto/api-client";
import { OUTPUT_CHECK_IDS } from "@gradphoto/contracts";
import { api } from "../../lib/api";
import { goStep } from "../../lib/flow";
import { PHOTO_STATES, useAsync, useSubmission } from "../../lib/hooks";
import { session } from "../../lib/session";
import { Badge, Button, Card, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import { flawForCheck, icon, portrait } from "../../components/art";
import "./index.css";

export default function Check() {
  const sub = useSubmission(PHOTO_STATES);
  const photo = useAsync(async (): Promise<Photo | null> => {
    const s = session.get();
    const view = s.submission ?? (await api.submission(s.submissionId!));
    // the photo just uploaded (compliant or not), asked for again: its links expire after 15 minutes
    const id = s.photo?.id ?? view.currentPhotoId;
    return id ? api.photo(view.id, id) : null;
  }, []);
  const [showPassed, setShowPassed] = useState(false);

  if (sub.loading || photo.loading) return <Screen step="check"><Loading text="正在读取检测结果…" /></Screen>;
  const error = sub.error ?? photo.error;
  if (error || !sub.data) return <Screen step="check"><ErrorState message={error ?? "加载失败"} onRetry={() => void Promise.all([sub.reload(), photo.reload()])} /></Screen>;
  const p = photo.data;
  if (!p) {
    return (
      <Screen step="check" footer={<Button onClick={() => void goStep("capture")}>去拍摄</Button>}>
        <Notice type="info" title="还没有照片">请先拍摄或选择一张照片。</Notice>
      </Screen>
    );
  }
  // the checks of the photo taken (a standardised photo's report also holds the standard-photo checks)
  const photoChecks = p.checks.filter((c) => !OUTPUT_CHECK_IDS.includes(c.id));
  const failed = photoChecks.filter((c) => !c.passed).sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  const passed = photoChecks.filter((c) => c.passed);
  const ok = p.compliant === true;
  // The pipeline's stop reason, unless a failed check already says the same.
  const extraError = p.error && !failed.some((c) => c.message === p.error!.message) ? p.error.message : null;
  const mark = (id: string) => (p.marks ?? []).find((m) => m.check === id); // a photo cached by an older client has none

  return (
    <Screen
      step="check"
      subtitle={ok ? "照片通过了质量检测" : "照片未通过检测，请按提示重拍"}
      testId="page-check"
      footer={
        ok ? (
          <>
            <Button onClick={() => void goStep("standardize")}>下一步：照片标准化</Button>
            <Button kind="secondary" onClick={() => void goStep("capture")}>
              不满意，重新拍摄
            </Button>
          </>
        ) : (
          <>
            <Button onClick={() => void goStep("capture")}>重新拍摄（免费）</Button>
            <Button kind="text" onClick={() => void goStep("guide")}>
              再看一遍拍照说明
            </Button>
          </>
        )
      }
    >
      <View className="check-head">
        <Image className="check-photo" src={p.originalUrl} mode="aspectFill" />
        <View className="check-summary">
          <Image className="check-icon" src={icon(ok ? "check" : "cross", ok ? "#16A34A" : "#DC2626")} />
          <View className={`check-verdict ${ok ? "ok" : "bad"}`}>{ok ? "照片符合要求" : "照片不符合要求"}</View>
          <View className="muted">{ok ? (failed.length ? `有 ${failed.length} 项建议改进，可继续` : `全部 ${photoChecks.length} 项检测通过`) : `${failed.filter((c) => c.severity === "error").length + (extraError ? 1 : 0) || 1} 项需要修改`}</View>
        </View>
      </View>
      {!ok ? <Notice type="info">不合格的照片可免费、不限次数重拍，不占用每日标准化次数。</Notice> : null}
      {failed.length || extraError ? (
        <Card title={ok ? "建议改进" : "需要修改"} className="fail-card">
          {extraError ? (
            <View className="fail-item">
              <View className="fail-text">
                <Badge kind="error">必须修改</Badge>
                <View className="fail-msg">{extraError}</View>
              </View>
            </View>
          ) : null}
          {failed.map((c) => {
            const flaw = flawForCheck(c.id);
            return (
              <View className="fail-item" key={c.id} data-check={c.id}>
                {mark(c.id) ? (
                  <MarkZoom src={p.originalUrl} m={mark(c.id)!} />
                ) : flaw ? (
                  <View className="fail-art">
                    <View className="fail-pic">
                      <Image className="fill" src={portrait(flaw)} mode="scaleToFill" />
                      <Text className="fail-tag tag-bad">✕</Text>
                    </View>
                    <View className="fail-pic">
                      <Image className="fill" src={portrait("good")} mode="scaleToFill" />
                      <Text className="fail-tag tag-ok">✓</Text>
                    </View>
                  </View>
                ) : null}
                <View className="fail-text">
                  <Badge kind={c.severity === "error" ? "error" : "warn"}>{c.severity === "error" ? "必须修改" : "建议改进"}</Badge>
                  <View className="fail-msg">{c.message}</View>
                </View>
              </View>
            );
          })}
        </Card>
      ) : null}
      {passed.length ? (
        <Card title={`已通过 ${passed.length} 项`} extra={<Text className="link-small" onClick={() => setShowPassed(!showPassed)}>{showPassed ? "收起" : "展开"}</Text>}>
          {showPassed ? passed.map((c) => <View className="passed-item" key={c.id}>✓ {c.message}</View>) : <View className="muted">{passed.slice(0, 4).map((c) => c.message).join("、")}{passed.length > 4 ? "等" : ""}</View>}
        </Card>
      ) : null}
    </Screen>
  );
}

const ZOOM_PX = 96;

/** The graduate's own photo, enlarged around what a check found (e.g. a suspected earring), circled. */
function MarkZoom({ src, m }: { src: string; m: Photo["marks"][number] }) {
  const span = 5 * m.r; // the window shows 5 radii of the photo's width around the spot
  const w = ZOOM_PX / span, h = w * m.aspect;
  return (
    <View className="mark-zoom" data-testid="mark-zoom" style={{ width: `${ZOOM_PX}px`, height: `${ZOOM_PX}px` }}>
      <Image src={src} mode="scaleToFill" style={{ position: "absolute", width: `${w}px`, height: `${h}px`, left: `${ZOOM_PX / 2 - m.x * w}px`, top: `${ZOOM_PX / 2 - m.y * h}px` }} />
      <View className="mark-ring" style={{ width: `${0.4 * ZOOM_PX}px`, height: `${0.4 * ZOOM_PX}px` }} />
      <Text className="mark-label">{m.label}</Text>
    </View>
  );
}
