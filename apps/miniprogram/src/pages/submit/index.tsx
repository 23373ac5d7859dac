import { Image, Text, View } from "@tarojs/components";
import { useState } from "react";
import type { Photo } from "@gradphoto/api-client";
import { api } from "../../lib/api";
import { goStep } from "../../lib/flow";
import { openWhereItIs } from "../../lib/recover";
import { useAction, useAsync, useSubmission } from "../../lib/hooks";
import { loadCampaign, session } from "../../lib/session";
import { requestSubscriptions } from "../../lib/wechat";
import { Button, Card, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import { icon } from "../../components/art";
import "./index.css";

// The graduate confirms what the checks cannot fully see (jewellery, retouching) before submitting.
const CONFIRM = ["是本人近期正面免冠照片", "五官清晰，露出眉毛和双耳", "未佩戴耳环、耳钉、项链等饰物，嘴唇自然闭合", "未化妆、未美颜、未做任何修图", "背景为均匀浅蓝色，无其他人或物"];

export default function Submit() {
  const sub = useSubmission(["STANDARDIZED"]);
  const data = useAsync(async (): Promise<{ photo: Photo }> => {
    const s = session.get();
    const view = s.submission ?? (await api.submission(s.submissionId!));
    await loadCampaign();
    // asked for every time: its links expire after 15 minutes (a photo held from an earlier page may be older)
    const photo = await api.photo(view.id, view.currentPhotoId!);
    return { photo };
  }, []);
  const act = useAction();
  // the graduate ticks each item themselves: nothing is confirmed for them
  const [ticked, setTicked] = useState<boolean[]>(() => CONFIRM.map(() => false));
  const allTicked = ticked.every(Boolean);
  const toggle = (i: number) => setTicked((t) => t.map((v, k) => (k === i ? !v : v)));

  const submit = () => {
    if (!allTicked) return;
    // 订阅消息 must be requested right in the tap, before anything else is awaited.
    const subscribing = requestSubscriptions(session.get().campaign);
    void act.run(async () => {
      await subscribing;
      const id = sub.data!.id;
      // a submit whose answer was lost may have gone through: then the page for the new state opens
      const view = await api.submit(id, data.data!.photo.id).catch((e: unknown) => openWhereItIs(e, id, ["STANDARDIZED"]).then(() => null));
      if (!view) return;
      session.set({ submission: view });
      await goStep("admission");
    });
  };

  if (sub.loading || data.loading) return <Screen step="submit"><Loading /></Screen>;
  const error = sub.error ?? data.error;
  if (error || !sub.data || !data.data) return <Screen step="submit"><ErrorState message={error ?? "加载失败"} onRetry={() => void Promise.all([sub.reload(), data.reload()])} /></Screen>;
  const p = data.data.photo;

  return (
    <Screen
      step="submit"
      subtitle="确认本次采集照片符合要求后提交"
      testId="page-submit"
      footer={
        <>
          <Button onClick={submit} loading={act.busy} disabled={!allTicked}>
            {allTicked ? "确认提交" : `请先逐项确认（${ticked.filter(Boolean).length}/${CONFIRM.length}）`}
          </Button>
          <Button kind="secondary" disabled={act.busy} onClick={() => void goStep("capture")}>
            重新拍摄
          </Button>
          <View className="footer-hint">提交时将询问是否接收「审核结果」微信通知，建议允许</View>
        </>
      }
    >
      {act.error ? <Notice type="error" title="提交失败">{act.error}</Notice> : null}
      <View className="submit-photo-wrap">
        <View className="submit-photo">
          <Image className="fill" src={p.standardizedUrl ?? p.originalUrl} mode="aspectFill" />
        </View>
      </View>
      <Card title="请逐项确认">
        {CONFIRM.map((c, i) => (
          <View className={`list-item confirm-item ${ticked[i] ? "confirm-on" : ""}`} key={c} onClick={() => toggle(i)} role="checkbox" aria-checked={ticked[i]} data-testid={`confirm-${i + 1}`}>
            {ticked[i] ? <Image className="confirm-icon" src={icon("check", "#16A34A")} /> : <View className="confirm-box" />}
            <Text className="list-text">{c}</Text>
          </View>
        ))}
        <View className="muted">点击每一项，确认照片确实如此后再提交。</View>
      </Card>
      <Notice type="info" title="提交后">下一步请确认你的录取照片，系统会将本照片与录取照片进行人像比对。</Notice>
    </Screen>
  );
}
