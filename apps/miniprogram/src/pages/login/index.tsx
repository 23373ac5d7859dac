import { Image, Text, View } from "@tarojs/components";
import { api } from "../../lib/api";
import { DEV_SIMULATION, IS_WEAPP } from "../../lib/env";
import { continueWith, goHome } from "../../lib/flow";
import { useAction } from "../../lib/hooks";
import { session } from "../../lib/session";
import { login } from "../../lib/wechat";
import { Button, Card, DevBanner, Notice, Screen } from "../../components/ui";
import { icon } from "../../components/art";
import "./index.css";

export default function Login() {
  // a refused login (WECHAT_LOGIN_FAILED is a 401) is shown here, not answered by reopening this page
  const act = useAction({ onAuth: "show" });
  const canLogin = IS_WEAPP || DEV_SIMULATION;

  const onLogin = () =>
    act.run(async () => {
      await login();
      const campaignId = session.get().campaignId;
      if (!campaignId) {
        await goHome();
        return;
      }
      const view = await api.startSubmission(campaignId);
      session.set({ submission: view });
      await continueWith(view);
    });

  return (
    <View>
      {DEV_SIMULATION ? <DevBanner>开发环境 · 模拟微信登录（不连接真实微信）</DevBanner> : null}
      <Screen
        step="login"
        subtitle="绑定微信账号，用于保存进度和接收审核结果"
        testId="page-login"
        footer={
          <>
            <Button kind="success" onClick={() => void onLogin()} loading={act.busy} disabled={!canLogin}>
              微信授权登录
            </Button>
            <Button kind="text" onClick={() => void goHome()}>
              暂不登录，返回首页
            </Button>
          </>
        }
      >
        {act.error ? <Notice type="error" title="登录失败">{act.error}</Notice> : null}
        {!canLogin ? <Notice type="warn" title="请在微信中打开">请在微信中搜索并打开本小程序完成登录和采集。</Notice> : null}
        <Card>
          <View className="login-head">
            <Image className="login-icon" src={icon("shield", "#16A34A")} />
            <View className="login-title">毕业照片采集 申请获取</View>
          </View>
          <View className="login-scope">
            <Text>• 你的微信登录身份（用于保存采集进度，一个微信号绑定一个采集码）</Text>
          </View>
          <View className="login-scope">
            <Text>• 审核结果通知（提交照片时再询问你是否接收）</Text>
          </View>
        </Card>
        <Card title="个人信息保护">
          <View className="muted">
            你的采集码信息和照片仅用于本次学历证书电子注册图像采集，由学校和采集服务方按规定保存，不会用于其他用途。采集码上的姓名、证件号均已脱敏显示。
          </View>
        </Card>
      </Screen>
    </View>
  );
}
