import { ScrollView, Text, View } from "@tarojs/components";
import Taro from "@tarojs/taro";
import { useEffect, useState } from "react";
import { api } from "../../lib/api";
import { continueWith } from "../../lib/flow";
import { useAction, useAsync, useSubmission } from "../../lib/hooks";
import { session } from "../../lib/session";
import { Button, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import "./index.css";

/** The school notice's points every graduate must know, shown after the campaign's own text. */
const RULES = [
  "照片将与本人录取照片进行人像比对，比对分数低于 80 分会被系统拦截，请更换其他照片上传比对。",
  "更换 3 张符合要求的照片比对均未通过的，可拨打客服电话说明情况后人工处理。",
  "照片须真实反映本人相貌，不得化妆、美颜或 PS 处理（包括伤疤、痣、发型）。",
  "照片标准化（裁剪换背景）每天最多 3 次，超过后需等待 24 小时；拍摄不合格可免费不限次数重拍。",
  "收到微信通知「审核通过」即完成采集；「审核未通过」可在小程序内免费重拍提交。",
  "非应届毕业生学信网不会生成图像采集码，请勿提前上传照片。",
];

export default function NoticePage() {
  const sub = useSubmission("any");
  const consent = useAsync(() => api.consent(session.get().campaignId!), []);
  const [read, setRead] = useState(false);
  const act = useAction();

  useEffect(() => {
    if (!consent.data) return;
    // Short enough to fit without scrolling: nothing to scroll to.
    const t = setTimeout(() => {
      Taro.createSelectorQuery()
        .select("#consent-scroll")
        .fields({ size: true, scrollOffset: true }, (r) => {
          const f = r as { height?: number; scrollHeight?: number } | null;
          if (f && f.scrollHeight !== undefined && f.height !== undefined && f.scrollHeight <= f.height + 8) setRead(true);
        })
        .exec();
    }, 300);
    return () => clearTimeout(t);
  }, [consent.data]);

  const agree = () =>
    act.run(async () => {
      const s = sub.data!;
      const view = await api.acceptConsent(s.id, { version: consent.data!.version, clientInfo: { platform: process.env.TARO_ENV } });
      session.set({ submission: view });
      await continueWith(view);
    });

  const loading = sub.loading || consent.loading;
  const error = sub.error ?? consent.error;
  const outdated = sub.data && sub.data.consentVersion !== null && !sub.data.consentCurrent;

  return (
    <Screen
      step="notice"
      subtitle="请完整阅读以下内容，滑动到底部后同意"
      testId="page-notice"
      footer={
        <>
          <Button onClick={() => void agree()} loading={act.busy} disabled={!read || loading || Boolean(error)}>
            {read ? "我已阅读并同意" : "请先阅读至底部"}
          </Button>
          {act.error ? <View className="footer-hint bad">{act.error}</View> : null}
        </>
      }
    >
      {outdated ? <Notice type="warn" title="温馨提示已更新">学校更新了温馨提示，请重新阅读并同意后继续。</Notice> : null}
      {loading ? <Loading text="正在加载温馨提示…" /> : error ? <ErrorState message={error} onRetry={() => void (sub.error ? sub.reload() : consent.reload())} /> : (
        <ScrollView id="consent-scroll" className="consent" scrollY lowerThreshold={30} onScrollToLower={() => setRead(true)}>
          <View className="consent-text">{consent.data!.text}</View>
          <View className="consent-section">采集须知</View>
          {RULES.map((r, i) => (
            <View className="list-item" key={r}>
              <Text className="list-num">{i + 1}</Text>
              <Text className="list-text">{r}</Text>
            </View>
          ))}
          <View className="consent-end">— 已到底部 —</View>
        </ScrollView>
      )}
    </Screen>
  );
}
