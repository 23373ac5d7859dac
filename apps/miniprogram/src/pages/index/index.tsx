import { Image, Text, View } from "@tarojs/components";
import Taro, { useDidShow } from "@tarojs/taro";
import type { CampaignPublic, Submission } from "@gradphoto/api-client";
import { api, isAuthError } from "../../lib/api";
import { DEV_SIMULATION } from "../../lib/env";
import { dateTime, daysLeft, yuan } from "../../lib/format";
import { continueWith, goStep, openPage } from "../../lib/flow";
import { useAction, useAsync } from "../../lib/hooks";
import { applyLaunchQuery } from "../../lib/launch";
import { session, useSession } from "../../lib/session";
import { Badge, Button, Card, EmptyState, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import { captureCodeArt, icon } from "../../components/art";
import "./index.css";

const PREPARE = [
  { ico: "qr" as const, text: "学信网「图像采集码」原图（学信档案 → 学籍 → 查看图像采集码 → 保存图片）" },
  { ico: "sun" as const, text: "光线充足、背景干净的地方，白天室外自然光最佳" },
  { ico: "user" as const, text: "本人素颜、免冠、露出眉毛和双耳，可请他人帮忙拍摄" },
];

export default function Home() {
  const s = useSession();
  const act = useAction();

  const data = useAsync(async (): Promise<{ campaign: CampaignPublic | null; submission: Submission | null }> => {
    // weapp: the page query of the QR code / share link that opened the home page
    const params = Taro.getCurrentInstance().router?.params ?? {};
    if (params.campaign) applyLaunchQuery({ campaign: params.campaign });
    const cur = session.get();
    if (!cur.campaignId) return { campaign: null, submission: null };
    const campaign = await api.campaign(cur.campaignId);
    session.set({ campaign });
    let submission: Submission | null = null;
    if (cur.token && cur.submissionId) {
      submission = await api.submission(cur.submissionId).catch((e: unknown) => {
        // an expired session: the page's loader renews it (or sends the graduate to 授权登录) once
        if (isAuthError(e)) throw e;
        return null;
      });
      if (submission) session.set({ submission });
    }
    return { campaign, submission };
  }, [s.campaignId]);

  useDidShow(() => {
    if (data.data) void data.reload();
  });

  const start = () =>
    act.run(async () => {
      const cur = session.get();
      if (!cur.token) {
        await goStep("login");
        return;
      }
      const view = await api.startSubmission(cur.campaignId!);
      session.set({ submission: view });
      await continueWith(view);
    });

  if (!s.campaignId) {
    return (
      <Screen testId="page-home">
        <PlainHero />
        <Card>
          <EmptyState title="未找到采集活动">
            <Text className="muted">请通过学校通知中的二维码或链接进入，链接中会带有本校的采集活动。</Text>
          </EmptyState>
          {DEV_SIMULATION ? <Notice type="warn" title="开发环境">在地址后加上 ?campaign=采集活动ID（npm start 的种子数据会打印示范活动的 ID）。</Notice> : null}
        </Card>
      </Screen>
    );
  }

  if (data.loading && !data.data) return <Screen testId="page-home"><Loading text="正在加载采集活动…" /></Screen>;
  if (data.error)
    return (
      <Screen testId="page-home">
        <PlainHero />
        <Card>
          <ErrorState message={`未能打开采集活动：${data.error}`} onRetry={() => void data.reload()}>
            <Text className="muted">请确认使用的是学校通知中的最新链接或二维码；如仍无法打开，请联系学校。</Text>
          </ErrorState>
        </Card>
      </Screen>
    );
  const c = data.data?.campaign;
  if (!c) return <Screen testId="page-home"><Loading /></Screen>;
  const sub = data.data?.submission ?? null;
  const left = daysLeft(c.closesAt);

  return (
    <Screen
      testId="page-home"
      footer={
        <>
          <Button onClick={() => void start()} loading={act.busy} disabled={!c.open && !sub}>
            {sub ? "继续采集" : "学信网采集码采集"}
          </Button>
          {act.error ? <View className="footer-hint bad">{act.error}</View> : <View className="footer-hint">全程约 10 分钟，可随时退出，下次从当前步骤继续</View>}
        </>
      }
    >
      <View className="hero">
        <View className="hero-school">{c.schoolName}</View>
        <View className="hero-title">{c.name}</View>
        <View className="hero-meta">
          <Badge kind={c.open ? "success" : "warn"}>{c.open ? "采集进行中" : "不在采集时间内"}</Badge>
          <Text className="hero-deadline">截止 {dateTime(c.closesAt)}</Text>
        </View>
        {c.open && left <= 7 ? <View className="hero-urgent">距截止还剩 {left} 天，请尽快完成</View> : null}
      </View>

      {sub && sub.payment?.status === "REFUNDED" && sub.state === "CODE_BOUND" ? (
        <Notice type="warn" title="当前进度：已退款">
          {sub.canPay ? "采集费用已退回，学校允许重新支付后继续采集。" : "采集费用已原路退回，本次采集已结束。点击「继续采集」查看退款详情。"}
        </Notice>
      ) : sub ? (
        <Notice type={sub.state === "APPROVED" ? "success" : sub.state === "REJECTED" ? "warn" : "info"} title={`当前进度：${sub.stateLabel}${sub.payment?.refund?.status === "PROCESSING" ? " · 退款中" : ""}`}>
          点击下方「继续采集」从当前步骤继续。
        </Notice>
      ) : null}
      {!c.open && !sub ? <Notice type="warn" title="本次采集不在开放时间内">采集时间：{dateTime(c.opensAt)} 至 {dateTime(c.closesAt)}。如有疑问请联系客服。</Notice> : null}

      <Card title="采集方式">
        <View className="mode-card">
          <Image className="mode-art" src={captureCodeArt()} mode="scaleToFill" />
          <View className="mode-text">
            <View className="mode-title">学信网采集码采集</View>
            <View className="muted">扫描或上传本人学信网图像采集码，拍摄并上传照片，与录取照片比对后由学校审核。</View>
          </View>
        </View>
        <View className="row">
          <Text className="row-label">采集费用</Text>
          <Text className="row-value row-strong">{c.schoolPaid ? "学校统一支付，个人无需缴费" : yuan(c.feeFen)}</Text>
        </View>
        <View className="row">
          <Text className="row-label">届别</Text>
          <Text className="row-value">{c.cohort}</Text>
        </View>
      </Card>

      <Card title="开始前请准备">
        {PREPARE.map((p) => (
          <View className="list-item" key={p.text}>
            <Image className="prep-icon" src={icon(p.ico)} />
            <Text className="list-text">{p.text}</Text>
          </View>
        ))}
      </Card>

      <View className="home-links">
        <Text className="link" onClick={() => void openPage("contact")}>
          联系客服 · {c.contacts.customerServicePhone}
        </Text>
      </View>
    </Screen>
  );
}

/** The header shown before a campaign is known (no campaign in the link, or it failed to load). */
function PlainHero() {
  return (
    <View className="hero">
      <View className="hero-title">毕业照片采集</View>
      <View className="hero-sub">学历证书电子注册图像采集</View>
    </View>
  );
}
