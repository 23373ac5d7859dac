import { Text, View } from "@tarojs/components";
import Taro, { useDidShow } from "@tarojs/taro";
import type { Submission } from "@gradphoto/api-client";
import { useState } from "react";
import { api, isCancel } from "../../lib/api";
import { DEV_SIMULATION, IS_WEAPP } from "../../lib/env";
import { yuan } from "../../lib/format";
import { PAGES, continueWith, goStep, openPage } from "../../lib/flow";
import { useAction, useAsync, useSubmission } from "../../lib/hooks";
import { loadCampaign, session } from "../../lib/session";
import { pay } from "../../lib/wechat";
import { waitForPaid } from "../../lib/payment";
import { Button, Card, ContactCard, ErrorState, Loading, Notice, Row, Screen } from "../../components/ui";
import { RefundCard } from "../../components/refund";

/** After a payment: the 支付成功 screen (a school-paid exemption goes straight on). */
function afterPaid(s: Submission): Promise<unknown> {
  return s.state === "PAID" ? Taro.redirectTo({ url: `/${PAGES.paySuccess}` }) : continueWith(s);
}

export default function PayPage() {
  const sub = useSubmission(["CODE_BOUND", "REJECTED"]);
  const campaign = useAsync(() => loadCampaign(), []);
  const act = useAction();
  const [pending, setPending] = useState(false);
  const [cancelled, setCancelled] = useState(false);

  // Every time the page shows (back from the cashier or the development payment page, or after
  // WeChat killed and restarted the mini-program mid-payment): ask the API, which asks WeChat Pay
  // about a pending order, instead of trusting what this page remembers.
  useDidShow(() => {
    const s = session.get();
    if (s.submissionId)
      void api.currentOrder(s.submissionId).then((r) => {
        if (r.submission.state === "PAID") {
          session.set({ submission: r.submission, order: null });
          void afterPaid(r.submission);
        }
      }, () => undefined);
  });

  const onPay = () =>
    act.run(async () => {
      setCancelled(false);
      const id = sub.data!.id;
      const order = await api.createOrder(id);
      session.set({ order });
      if (DEV_SIMULATION) {
        await openPage("devPay");
        return;
      }
      if (!IS_WEAPP) throw Object.assign(new Error("h5"), { errMsg: "请在微信中打开小程序完成支付" });
      try {
        await pay(order);
      } catch (e) {
        if (isCancel(e)) {
          setCancelled(true);
          return;
        }
        throw e;
      }
      // WeChat took the money: from here nothing may say 支付未完成. Until the API confirms it
      // (a lagging notify, a failed poll), the page says it is confirming and offers to refresh.
      setPending(true);
      const paid = await waitForPaid(id).catch(() => null);
      if (paid) {
        setPending(false);
        await afterPaid(paid);
      }
    });

  const checkAgain = () =>
    act.run(async () => {
      const paid = await waitForPaid(sub.data!.id, 3).catch(() => null);
      if (paid) {
        setPending(false);
        await afterPaid(paid);
      } else setPending(true);
    });

  if (sub.loading || campaign.loading) return <Screen step="pay"><Loading /></Screen>;
  const error = sub.error ?? campaign.error;
  if (error || !sub.data || !campaign.data) return <Screen step="pay"><ErrorState message={error ?? "加载失败"} onRetry={() => void Promise.all([sub.reload(), campaign.reload()])} /></Screen>;
  const c = campaign.data;
  const s = sub.data;
  const refund = s.payment?.refund ?? null;
  if (!s.canPay && s.payment?.status === "REFUNDED") {
    // a refunded collection: no second payment unless the school allows it
    return (
      <Screen step="pay" subtitle="本次采集费用已退款" testId="page-pay" footer={<Button kind="secondary" onClick={() => void openPage("contact")}>联系客服</Button>}>
        {refund ? <RefundCard payment={s.payment} /> : null}
        <Notice type="warn" title="已退款，不能再次支付">本次采集已结束。如仍需线上采集毕业照片，请先联系学校确认。</Notice>
        <ContactCard contacts={s.contacts} show={["payment", "cs"]} />
      </Screen>
    );
  }
  if (c.schoolPaid) {
    return (
      <Screen step="pay" testId="page-pay" footer={<Button onClick={() => void goStep("guide")}>下一步：拍照说明</Button>}>
        <Notice type="success" title="本次采集由学校统一支付">你无需缴纳任何费用，请继续拍摄照片。</Notice>
      </Screen>
    );
  }

  return (
    <Screen
      step="pay"
      subtitle="支付采集服务费后即可拍摄照片"
      testId="page-pay"
      footer={
        <>
          <Button kind="success" onClick={() => void onPay()} loading={act.busy}>
            {`微信支付 ${yuan(c.feeFen)}`}
          </Button>
          {pending ? (
            <Button kind="secondary" onClick={() => void checkAgain()}>
              我已支付，刷新支付结果
            </Button>
          ) : null}
          <Button kind="text" onClick={() => void openPage("guide")}>
            支付前先免费检测照片
          </Button>
        </>
      }
    >
      {act.error ? <Notice type="error" title="支付未完成">{act.error}</Notice> : null}
      {cancelled ? <Notice type="warn" title="支付已取消">你可以随时重新支付，订单 30 分钟内有效，不会重复扣费。</Notice> : null}
      {s.payment?.status === "REFUNDED" ? <Notice type="info" title="上次支付已退款">学校允许重新支付，支付后可继续采集。</Notice> : null}
      {pending ? <Notice type="info" title="正在确认支付结果">如已扣款，结果可能稍有延迟，请稍后点击「刷新支付结果」。</Notice> : null}
      <Card title="订单信息">
        <Row label="项目" value="毕业照片采集服务费" />
        <Row label="活动" value={c.name} />
        <Row label="学校" value={c.schoolName} />
        <View className="row">
          <Text className="row-label">应付金额</Text>
          <Text className="pay-amount">{yuan(c.feeFen)}</Text>
        </View>
      </Card>
      <Card title="说明">
        <View className="muted">• 支付成功后进入拍照环节；拍摄不合格可免费不限次数重拍。</View>
        <View className="muted">• 审核未通过可免费重拍提交。</View>
        <View className="muted">• 担心照片不合格？支付前可在拍照说明页免费检测照片（每天 5 次）。</View>
        <View className="muted">• 支付问题请联系：{sub.data.contacts.paymentContact}</View>
      </Card>
    </Screen>
  );
}
