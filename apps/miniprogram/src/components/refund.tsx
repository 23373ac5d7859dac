import { View } from "@tarojs/components";
import type { Submission } from "@gradphoto/api-client";
import { dateTime, yuan } from "../lib/format";
import { Card, Notice, Row } from "./ui";

/** 退款中 / 已退款: amount, reason, and what happens next. */
export function RefundCard({ payment }: { payment: Submission["payment"] }) {
  const r = payment?.refund;
  if (!payment || !r) return null;
  const label = r.status === "SUCCESS" ? "已退款" : r.status === "PROCESSING" ? "退款中" : "退款未完成";
  return (
    <Card title={label} className="refund-card">
      <View data-testid="refund-card">
        <Row label="退款状态" value={label} strong />
        <Row label="退款金额" value={yuan(r.amountFen)} />
        <Row label="退款原因" value={r.reason} />
        <Row label="申请时间" value={dateTime(r.requestedAt)} />
        {r.refundedAt ? <Row label="到账时间" value={dateTime(r.refundedAt)} /> : null}
      </View>
      <View className="gap" />
      {r.status === "PROCESSING" ? (
        <Notice type="info" title="接下来">退款将原路退回你的微信支付账户，一般 1–3 个工作日到账；到账后本页显示「已退款」。</Notice>
      ) : r.status === "SUCCESS" ? (
        <Notice type="info" title="接下来">
          {payment.status === "REFUNDED" ? "款项已原路退回你的微信支付账户，本次采集已结束。" : "部分款项已退回你的微信支付账户，采集可以继续。"}
        </Notice>
      ) : (
        <Notice type="warn" title="退款遇到问题">请联系学校处理退款。</Notice>
      )}
    </Card>
  );
}
