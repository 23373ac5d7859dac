import { Image, Text, View } from "@tarojs/components";
import { loadCampaign } from "../../lib/session";
import { useAsync } from "../../lib/hooks";
import { call, phoneIn } from "../../lib/wechat";
import { Button, Card, EmptyState, ErrorState, Loading, PhoneLink, Screen } from "../../components/ui";
import { icon } from "../../components/art";
import { session } from "../../lib/session";
import "./index.css";

const FAQ = [
  { q: "采集码识别失败？", a: "请使用学信网「保存图片」保存的原图，不要截图或翻拍屏幕。" },
  { q: "学校名称或院校代码不对？", a: "请联系学籍部门更新学信网信息后，重新下载采集码。" },
  { q: "比对一直不通过？", a: "更换 3 张符合要求的照片仍未通过，请拨打客服电话说明情况，核实后人工处理。" },
  { q: "标准化次数用完了？", a: "每日限 3 次，24 小时后可再次制作；期间仍可重拍和检测照片。" },
];

export default function Contact() {
  const c = useAsync(async () => (session.get().campaignId ? loadCampaign() : null), []);
  if (c.loading) return <Screen><Loading /></Screen>;
  if (c.error) return <Screen><ErrorState message={c.error} onRetry={() => void c.reload()} /></Screen>;
  if (!c.data) return <Screen><EmptyState title="未找到采集活动">请通过学校通知中的链接进入后再联系客服。</EmptyState></Screen>;
  const k = c.data.contacts;
  const phone = phoneIn(k.customerServicePhone);

  return (
    <Screen testId="page-contact" footer={phone ? <Button onClick={() => call(phone)}>{`拨打客服电话 ${k.customerServicePhone}`}</Button> : undefined}>
      <View className="contact-hero">
        <Image className="contact-hero-icon" src={icon("phone", "#FFFFFF")} />
        <View className="contact-hero-title">联系客服</View>
        <View className="contact-hero-sub">{c.data.schoolName} · {c.data.name}</View>
      </View>
      <Card title="采集服务客服">
        <View className="contact-big" onClick={() => phone && call(phone)}>
          {k.customerServicePhone}
        </View>
        <View className="muted">服务时间：{k.customerServiceHours}</View>
        <View className="muted">点击号码即可拨打</View>
      </Card>
      <Card title="学籍部门">
        <PhoneLink text={k.registrarContact} />
        <View className="muted">采集码学校信息有误、录取照片有误或缺失，请联系学籍部门。</View>
      </Card>
      <Card title="支付问题">
        <Text>{k.paymentContact}</Text>
        <View className="muted">请说明事由及商户订单号。</View>
      </Card>
      <Card title="常见问题">
        {FAQ.map((f) => (
          <View className="faq" key={f.q}>
            <View className="faq-q">{f.q}</View>
            <View className="muted">{f.a}</View>
          </View>
        ))}
      </Card>
    </Screen>
  );
}
