import { Image, View } from "@tarojs/components";
import type { OrderStatus } from "@gradphoto/api-client";
import { api } from "../../lib/api";
import { dateTime, yuan } from "../../lib/format";
import { goStep } from "../../lib/flow";
import { useAsync, useSubmission } from "../../lib/hooks";
import { Button, Card, ErrorState, Loading, Notice, Row, Screen } from "../../components/ui";
import { icon } from "../../components/art";
import "../status/index.css";

/** 支付成功: what was paid, and the next step (the graduate should know the money arrived before taking photos). */
export default function PaySuccess() {
  const sub = useSubmission("any");
  const order = useAsync(async (): Promise<OrderStatus | null> => (sub.data ? api.currentOrder(sub.data.id) : null), [sub.data?.id]);

  if (sub.loading || order.loading) return <Screen step="paySuccess"><Loading text="正在确认支付结果…" /></Screen>;
  const error = sub.error ?? order.error;
  if (error || !sub.data) return <Screen step="paySuccess"><ErrorState message={error ?? "加载失败"} onRetry={() => void Promise.all([sub.reload(), order.reload()])} /></Screen>;
  const s = sub.data;
  const o = order.data?.order ?? null;
  const paid = o !== null && o.status === "PAID";

  return (
    <Screen
      step="paySuccess"
      testId="page-pay-success"
      footer={<Button onClick={() => void goStep("guide")}>下一步：拍照说明</Button>}
    >
      <View className="status-card status-ok" data-testid="status-card">
        <Image className="status-icon" src={icon("check", "#16A34A")} />
        <View className="status-title">支付成功</View>
        <View className="status-text">{paid ? `已支付 ${yuan(o.amountFen)}，现在可以拍摄照片了。` : "支付已确认，现在可以拍摄照片了。"}</View>
      </View>
      {o ? (
        <Card title="支付信息">
          <Row label="金额" value={yuan(o.amountFen)} strong />
          <Row label="商户订单号" value={o.outTradeNo} />
          {o.paidAt ? <Row label="支付时间" value={dateTime(o.paidAt)} /> : null}
        </Card>
      ) : null}
      <Notice type="info" title="接下来">
        先看拍照说明，再拍摄或从相册选择照片。不合格的照片可免费、不限次数重拍；审核未通过可免费重拍 {s.freeRetakesLeft} 次。
      </Notice>
    </Screen>
  );
}
