import { Text, View } from "@tarojs/components";
import { formatScore } from "@gradphoto/contracts";
import { goStep } from "../../lib/flow";
import { useSubmission } from "../../lib/hooks";
import { useSession } from "../../lib/session";
import { call, phoneIn } from "../../lib/wechat";
import { Button, Card, ContactCard, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import "./index.css";

const THRESHOLD = 80;
const MANUAL_AFTER = 3;

export default function Compare() {
  const sub = useSubmission(["REVIEWING", "APPROVED", "COMPARE_BLOCKED", "NEEDS_MANUAL_PASS", "ADMISSION_CONFIRMED"]);
  const { comparison } = useSession();

  if (sub.loading) return <Screen step="compare"><Loading /></Screen>;
  if (sub.error || !sub.data) return <Screen step="compare"><ErrorState message={sub.error ?? "加载失败"} onRetry={() => void sub.reload()} /></Screen>;
  const s = sub.data;
  const score = comparison?.score ?? s.lastComparison?.score ?? null;
  const threshold = comparison?.threshold ?? THRESHOLD;
  // under 80 against a low-quality admission photo: the school reviews it (not the graduate's failure)
  const referred = s.state === "REVIEWING" && (Boolean(comparison?.referral) || s.lastComparison?.referred === true);
  const passed = !referred && (s.state === "REVIEWING" || s.state === "APPROVED");
  const manual = s.state === "NEEDS_MANUAL_PASS";
  const failures = comparison?.qualifyingFailures ?? s.qualifyingFailures;
  const cs = phoneIn(s.contacts.customerServicePhone);

  if (s.state === "ADMISSION_CONFIRMED") {
    return (
      <Screen step="compare" testId="page-compare" footer={<Button onClick={() => void goStep("admission")}>重新比对</Button>}>
        <Notice type="warn" title="本次比对未能完成">{comparison?.error?.message ?? comparison?.message ?? "请稍后重新比对"}</Notice>
      </Screen>
    );
  }

  return (
    <Screen
      step="compare"
      subtitle={passed ? "比对通过，已提交学校审核" : referred ? "已转交学校人工审核" : manual ? "请联系客服人工处理" : "请更换其他照片上传比对"}
      testId="page-compare"
      footer={
        passed || referred ? (
          <Button onClick={() => void goStep("status")}>查看审核状态</Button>
        ) : manual ? (
          <>
            {cs ? <Button onClick={() => call(cs)}>{`拨打客服电话 ${s.contacts.customerServicePhone}`}</Button> : null}
            <Button kind="secondary" onClick={() => void goStep("status")}>
              查看当前状态
            </Button>
          </>
        ) : (
          <Button onClick={() => void goStep("guide")}>更换照片，重新拍摄</Button>
        )
      }
    >
      <View className={`score-card ${passed ? "score-pass" : "score-fail"}`}>
        <View className="score-ring">
          <Text className="score-num">{formatScore(score)}</Text>
          <Text className="score-unit">分</Text>
        </View>
        <View className="score-verdict">{passed ? "人像比对通过" : referred ? "分数未达到通过线" : "人像比对未通过"}</View>
        <View className="score-desc">比对分数 {threshold} 分及以上为通过</View>
      </View>

      {passed ? (
        <Notice type="success" title="照片已提交学校审核">
          {s.reviewNotice ? "审核结果将通过微信通知发送给你，也可以随时在「审核状态」中查看。" : "你没有订阅审核结果通知，请随时在「审核状态」中查看审核结果。"}
        </Notice>
      ) : referred ? (
        <Notice type="warn" title="可能是录取照片质量所致">
          {comparison?.referral?.message ?? "比对分数未达到通过线，可能是录取照片质量较低所致，不计为您的照片未通过，已转交学校人工审核，请耐心等待审核结果"}
        </Notice>
      ) : manual ? (
        <>
          <Notice type="warn" title={`已更换 ${failures} 张合格照片，比对均未通过`}>
            请拨打客服电话说明情况，客服核实后可人工通过。
          </Notice>
          <ContactCard contacts={s.contacts} title="联系客服人工处理" />
        </>
      ) : (
        <>
          <Notice type="error" title={comparison?.repeatOf ? "这张照片与之前的照片相同" : "请更换其他照片"}>{comparison?.message ?? "比对未通过，请更换其他照片上传比对"}</Notice>
          <Card title="比对次数">
            <View className="fail-count">
              {Array.from({ length: MANUAL_AFTER }, (_, i) => (
                <View key={i} className={`fail-dot ${i < failures ? "on" : ""}`}>
                  {i + 1}
                </View>
              ))}
            </View>
            <View className="muted">
              已有 <Text className="bad">{failures}</Text> 张不同的合格照片比对未通过。更换 {MANUAL_AFTER} 张不同的、符合要求的照片仍未通过，可联系客服人工处理；同一张照片重复上传只计一次。
            </View>
          </Card>
          <Card title="提高通过率">
            <View className="muted">• 在光线均匀的地方正面拍摄，不要仰头或低头</View>
            <View className="muted">• 摘下眼镜，露出眉毛和双耳，保持自然表情</View>
            <View className="muted">• 不要化妆、美颜，也不要使用旧照片</View>
          </Card>
        </>
      )}
    </Screen>
  );
}
