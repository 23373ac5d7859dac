import { Image, Text, View } from "@tarojs/components";
import { useState } from "react";
import { api, ApiRequestError, isCancel } from "../../lib/api";
import { IS_WEAPP } from "../../lib/env";
import { goStep } from "../../lib/flow";
import { useAction, useSubmission } from "../../lib/hooks";
import { pickImage, uploadOf } from "../../lib/media";
import { session } from "../../lib/session";
import { scanQr } from "../../lib/wechat";
import { Button, Card, ContactCard, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import { captureCodeArt } from "../../components/art";
import "./index.css";

const HOW = [
  "电脑或手机浏览器搜索「学信档案」，登录后进入「高等教育信息 → 学籍」",
  "或在微信公众号「学信网」中登录学信档案，进入「学籍信息」",
  "点击「查看图像采集码」，再点「保存图片」保存到手机相册",
];

export default function CodePage() {
  const sub = useSubmission(["CONSENTED"]);
  const act = useAction();
  const [failure, setFailure] = useState<ApiRequestError | null>(null);

  const preview = (fn: () => Promise<Awaited<ReturnType<typeof api.scanCaptureCode>> | null>) =>
    act.run(async () => {
      setFailure(null);
      try {
        const p = await fn();
        if (!p) return;
        session.set({ codePreview: p });
        await goStep("codeConfirm");
      } catch (e) {
        if (isCancel(e)) return;
        if (e instanceof ApiRequestError) setFailure(e);
        throw e;
      }
    });

  const upload = () =>
    preview(async () => {
      const img = await pickImage("album");
      if (!img) return null;
      return api.uploadCaptureCode(sub.data!.id, uploadOf({ ...img, name: img.name || "code.png" }));
    });

  const scan = () => preview(async () => api.scanCaptureCode(sub.data!.id, await scanQr()));

  if (sub.loading) return <Screen step="code"><Loading /></Screen>;
  if (sub.error || !sub.data) return <Screen step="code"><ErrorState message={sub.error ?? "加载失败"} onRetry={() => void sub.reload()} /></Screen>;
  const contacts = sub.data.contacts;

  return (
    <Screen
      step="code"
      subtitle="扫描或上传本人的学信网图像采集码"
      testId="page-code"
      footer={
        <>
          {IS_WEAPP ? (
            <Button onClick={() => void scan()} loading={act.busy}>
              扫描采集码
            </Button>
          ) : null}
          <Button kind={IS_WEAPP ? "secondary" : "primary"} onClick={() => void upload()} loading={act.busy && !IS_WEAPP} disabled={act.busy}>
            上传采集码图片
          </Button>
        </>
      }
    >
      {act.busy ? <Notice type="info" title="正在识别采集码…">请稍候，不要离开本页。</Notice> : null}
      {act.error ? (
        <Notice type="error" title={failure?.code === "SCHOOL_MISMATCH" ? "学校名称（院校代码）不一致" : "采集码未通过"}>
          {act.error}
        </Notice>
      ) : null}
      {failure?.code === "SCHOOL_MISMATCH" ? <ContactCard contacts={contacts} show={["registrar"]} title="请联系学籍部门更新学信网信息后重新下载" /> : null}
      {failure?.code === "CODE_UNREADABLE" ? <Notice type="warn">请使用学信网「保存图片」保存的原图重新上传，不要截图、裁剪或翻拍屏幕。</Notice> : null}
      {failure && ["CODE_ALREADY_BOUND", "ACCOUNT_HAS_OTHER_CODE"].includes(failure.code) ? <ContactCard contacts={contacts} /> : null}

      <Card>
        <View className="code-intro">
          <Image className="code-art" src={captureCodeArt()} mode="scaleToFill" />
          <View className="code-intro-text">
            <View className="code-intro-title">图像采集码是什么？</View>
            <View className="muted">学信网为每位应届毕业生生成的专属二维码，包含学籍信息，用于确认照片属于本人。</View>
          </View>
        </View>
      </Card>
      <Notice type="warn" title="请使用保存的原图">
        请上传在学信网点击「保存图片」保存的采集码原图。不要使用截图，截图可能无法识别或识别错误。
      </Notice>
      <Card title="如何获取采集码">
        {HOW.map((h, i) => (
          <View className="list-item" key={h}>
            <Text className="list-num">{i + 1}</Text>
            <Text className="list-text">{h}</Text>
          </View>
        ))}
      </Card>
    </Screen>
  );
}
