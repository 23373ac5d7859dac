import { Text, View } from "@tarojs/components";
import Taro from "@tarojs/taro";
import { devApi } from "../../lib/api";
import { DEV_SIMULATION } from "../../lib/env";
import { yuan } from "../../lib/format";
import { PAGES, relaunchWith } from "../../lib/flow";
import { useAction } from "../../lib/hooks";
import { waitForPaid } from "../../lib/payment";
import { session, useSession } from "../../lib/session";
import { Button, Card, DevBanner, EmptyState, Notice, Row, Screen } from "../../components/ui";

/**
 * 开发环境模拟支付 (development H5 builds only): stands in for WeChat's cashier. The fake WeChat Pay
 * pays the order and sends the signed notify to the API, exactly as WeChat Pay would.
 */
export default function DevPay() {
  const { order, submissionId } = useSession();
  const act = useAction();

  if (!DEV_SIMULATION) {
    return (
      <Screen>
        <EmptyState title="仅开发环境可用">正式环境请在微信小程序内支付。</EmptyState>
      </Screen>
    );
  }

  const payNow = () =>
    act.run(async () => {
      await devApi.pay(order!.order.outTradeNo);
      const paid = await waitForPaid(submissionId!);
      if (!paid) throw Object.assign(new Error("pending"), { errMsg: "支付结果确认中，请稍后在支付页刷新" });
      session.set({ order: null });
      // a payment (not a school exemption) ends on 支付成功 before the photo steps
      if (paid.state === "PAID") await Taro.reLaunch({ url: `/${PAGES.paySuccess}` });
      else await relaunchWith(paid);
    });

  return (
    <View>
      <DevBanner>开发环境模拟支付 · 不会产生真实扣款</DevBanner>
      <Screen
        testId="page-dev-pay"
        footer={
          order ? (
            <>
              <Button kind="success" onClick={() => void payNow()} loading={act.busy}>
                模拟支付成功
              </Button>
              <Button kind="text" onClick={() => void Taro.navigateBack()}>
                取消支付
              </Button>
            </>
          ) : undefined
        }
      >
        <View className="devpay-title">开发环境模拟支付</View>
        {act.error ? <Notice type="error">{act.error}</Notice> : null}
        {!order ? (
          <EmptyState title="没有待支付的订单">请返回支付页重新发起支付。</EmptyState>
        ) : (
          <>
            <Notice type="warn" title="这不是微信支付">
              本页面仅在开发环境出现：点击「模拟支付成功」后，模拟的微信支付服务会向 API 发送带签名的支付结果通知，与正式环境流程一致。
            </Notice>
            <Card title="待支付订单">
              <View className="row">
                <Text className="row-label">金额</Text>
                <Text className="pay-amount">{yuan(order.order.amountFen)}</Text>
              </View>
              <Row label="商户订单号" value={order.order.outTradeNo} />
              <Row label="支付参数" value={order.payment.package} />
            </Card>
          </>
        )}
      </Screen>
    </View>
  );
}
