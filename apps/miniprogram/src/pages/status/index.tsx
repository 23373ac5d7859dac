import { Image, Text, View } from "@tarojs/components";
import { usePullDownRefresh } from "@tarojs/taro";
import Taro from "@tarojs/taro";
import type { Submission } from "@gradphoto/api-client";
import { formatScore } from "@gradphoto/contracts";
import { RefundCard } from "../../components/refund";
import { api } from "../../lib/api";
import { dateTime, maskName } from "../../lib/format";
import { continueWith, goHome, goStep, openPage, pageFor } from "../../lib/flow";
import { openWhereItIs } from "../../lib/recover";
import { useAction, useSubmission } from "../../lib/hooks";
import { session } from "../../lib/session";
import { Button, Card, ContactCard, ErrorState, Loading, Notice, Row, Screen } from "../../components/ui";
import { icon } from "../../components/art";
import "./index.css";

function look(s: Submission): { title: string; tone: "wait" | "ok" | "bad"; ico: "clock" | "check" | "cross" | "info"; text: string } {
  switch (s.state) {
    case "REVIEWING":
      return {
        title: "审核中",
        tone: "wait",
        ico: "clock",
        text: `${s.manualPass ? "客服已人工核验你的身份，人像比对已人工通过" : "照片已通过人像比对"}，学校正在审核。${s.reviewNotice ? "审核结果将通过微信通知发送给你。" : "请稍后回到本页查看审核结果。"}`,
      };
    case "APPROVED":
      return { title: "审核通过", tone: "ok", ico: "check", text: "你已完成毕业照片线上采集，无需其他操作。" };
    case "REJECTED":
      return { title: "审核未通过", tone: "bad", ico: "cross", text: "请根据原因重新拍摄并提交。" };
    case "ADMISSION_DISPUTED":
      return { title: "录取照片核实中", tone: "wait", ico: "info", text: "你已反馈录取照片有误或缺失，请联系学籍部门核实，处理完成后可继续比对。" };
    case "NEEDS_MANUAL_PASS":
      return { title: "等待客服处理", tone: "wait", ico: "info", text: "3 张合格照片比对均未通过，请联系客服说明情况后人工处理。" };
    case "CODE_BOUND":
      if (s.payment?.status === "REFUNDED") {
        return s.canPay
          ? { title: "已退款", tone: "wait", ico: "info", text: "采集费用已退回。学校允许重新支付，支付后可继续采集。" }
          : { title: "已退款", tone: "bad", ico: "info", text: "采集费用已原路退回，本次采集已结束。如有疑问请联系客服。" };
      }
      return { title: s.stateLabel, tone: "wait", ico: "info", text: "采集尚未完成，请继续。" };
    default:
      return { title: s.stateLabel, tone: "wait", ico: "info", text: "采集尚未完成，请继续。" };
  }
}

export default function Status() {
  const sub = useSubmission("any");
  const act = useAction();
  usePullDownRefresh(() => {
    void sub.reload().finally(() => Taro.stopPullDownRefresh());
  });

  const retake = () =>
    act.run(async () => {
      const id = sub.data!.id;
      const fresh = { photo: null, comparison: null, standardize: null };
      // a retake whose answer was lost may have started: then the page for the new state opens
      const view = await api.retake(id).catch((e: unknown) => openWhereItIs(e, id, ["REJECTED"], fresh).then(() => null));
      if (!view) return;
      session.set({ submission: view, ...fresh });
      await continueWith(view);
    });

  if (sub.loading && !sub.data) return <Screen step="status"><Loading text="正在查询审核状态…" /></Screen>;
  if (sub.error || !sub.data) return <Screen step="status"><ErrorState message={sub.error ?? "加载失败"} onRetry={() => void sub.reload()} /></Screen>;
  const s = sub.data;
  const l = look(s);
  const rejected = s.state === "REJECTED";
  const refundedOut = s.state === "CODE_BOUND" && s.payment?.status === "REFUNDED" && !s.canPay;
  const inFlow = !refundedOut && !["REVIEWING", "APPROVED", "REJECTED", "ADMISSION_DISPUTED", "NEEDS_MANUAL_PASS"].includes(s.state);

  return (
    <Screen
      step="status"
      testId="page-status"
      finished={s.state === "APPROVED"}
      footer={
        <>
          {rejected && s.freeRetakesLeft > 0 ? (
            <Button onClick={() => void retake()} loading={act.busy}>
              {`免费重拍（剩余 ${s.freeRetakesLeft} 次）`}
            </Button>
          ) : null}
          {inFlow ? <Button onClick={() => void goStep(pageFor(s))}>继续采集</Button> : null}
          <Button kind="secondary" onClick={() => void sub.reload()} loading={sub.loading}>
            刷新状态
          </Button>
        </>
      }
    >
      {act.error ? <Notice type="error">{act.error}</Notice> : null}
      <View className={`status-card status-${l.tone}`} data-testid="status-card">
        <Image className="status-icon" src={icon(l.ico, l.tone === "ok" ? "#16A34A" : l.tone === "bad" ? "#DC2626" : "#D97706")} />
        <View className="status-title">{l.title}</View>
        <View className="status-text">{l.text}</View>
      </View>

      <RefundCard payment={s.payment} />

      {rejected ? (
        <Card title="未通过原因">
          <View className="reason">{s.lastReview?.reason ?? "照片不符合要求"}</View>
          <View className="gap" />
          {s.freeRetakesLeft > 0 ? (
            <Notice type="info">你还有 {s.freeRetakesLeft} 次免费重拍机会，重拍无需再次支付。</Notice>
          ) : (
            <Notice type="warn" title="免费重拍次数已用完">请联系客服处理。</Notice>
          )}
        </Card>
      ) : null}

      <Card title="采集信息">
        {s.rosterEntry ? (
          <>
            <Row label="姓名" value={maskName(s.rosterEntry.name)} />
            <Row label="学籍编号" value={s.rosterEntry.uniqueNumber} />
            <Row label="学院专业" value={`${s.rosterEntry.college} · ${s.rosterEntry.major}`} />
          </>
        ) : null}
        {s.manualPass && s.state !== "REJECTED" ? (
          <Row label="人像比对" value="客服人工核验通过" />
        ) : s.lastComparison ? (
          <Row label="人像比对" value={`${formatScore(s.lastComparison.score)} 分 · ${s.lastComparison.passed ? "通过" : "未通过"}`} />
        ) : null}
        {s.lastReview ? <Row label="审核时间" value={dateTime(s.lastReview.createdAt)} /> : null}
        <Row label="当前状态" value={<Text className={l.tone === "ok" ? "ok" : l.tone === "bad" ? "bad" : ""}>{s.stateLabel}</Text>} />
      </Card>

      {s.state === "ADMISSION_DISPUTED" ? <ContactCard contacts={s.contacts} show={["registrar"]} title="学籍部门" /> : null}
      <ContactCard contacts={s.contacts} />
      <View className="center">
        <Text className="link-small" onClick={() => void goHome()}>
          返回首页
        </Text>
        <Text className="link-sep"> · </Text>
        <Text className="link-small" onClick={() => void openPage("contact")}>
          联系客服
        </Text>
      </View>
    </Screen>
  );
}
