import { Image, Text, View } from "@tarojs/components";
import Taro from "@tarojs/taro";
import { useState } from "react";
import { countChecks } from "@gradphoto/contracts";
import type { PhotoPrecheck } from "@gradphoto/api-client";
import { api } from "../../lib/api";
import { goStep, openPage } from "../../lib/flow";
import { PHOTO_STATES, useAction, useSubmission } from "../../lib/hooks";
import { pickImage, uploadOf } from "../../lib/media";
import { Badge, Button, Card, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import { icon, portrait, type PortraitFlaw } from "../../components/art";
import "./index.css";

const BAD: Array<{ flaw: PortraitFlaw; label: string }> = [
  { flaw: "background", label: "背景杂乱" },
  { flaw: "glasses", label: "有色眼镜" },
  { flaw: "hat", label: "戴帽子" },
  { flaw: "accessories", label: "佩戴耳饰项链" },
  { flaw: "tilt", label: "头部歪斜" },
  { flaw: "shadow", label: "脸部阴影" },
  { flaw: "fringe", label: "头发遮眉眼" },
  { flaw: "eyesClosed", label: "闭眼" },
  { flaw: "twoFaces", label: "多人入镜" },
  { flaw: "blur", label: "照片模糊" },
];

const RULES = [
  "本人正面免冠，表情自然，嘴唇闭合，双眼平视镜头",
  "露出眉毛、眼睛和双耳，头发不遮挡面部",
  "可佩戴无色、不反光的眼镜；不佩戴饰物",
  "不化妆、不美颜、不使用滤镜，不要翻拍纸质照片或屏幕",
  "上身取像至胸口，衣服颜色与浅蓝背景区分明显",
];

/** 支付前免费检测: the result of the quality check on a photo that is not kept. */
function PrecheckResult({ r }: { r: PhotoPrecheck }) {
  const failed = r.checks.filter((c) => !c.passed);
  const n = countChecks(r.checks).photo;
  return (
    <Card title="免费检测结果" className="precheck-card">
      <View data-testid="precheck-result">
        {r.compliant ? (
          <Notice type="success" title="这张照片符合要求">{failed.length ? `有 ${failed.length} 项建议改进，可以使用` : `全部 ${n.total} 项检测通过`}。支付后拍摄或选择这张照片即可。</Notice>
        ) : (
          <Notice type="error" title="这张照片不符合要求">请按下列提示换一张照片，或支付后现场重拍（拍摄后的检测不限次数）。</Notice>
        )}
        {r.error && !failed.some((c) => c.message === r.error!.message) ? <View className="fail-msg">{r.error.message}</View> : null}
        {failed.map((c) => (
          <View className="list-item" key={c.id}>
            <Badge kind={c.severity === "error" ? "error" : "warn"}>{c.severity === "error" ? "必须修改" : "建议"}</Badge>
            <Text className="list-text">{c.message}</Text>
          </View>
        ))}
        <View className="muted">今天还可免费检测 {r.remainingToday} 次（每天 {r.limitPerDay} 次）。检测只看照片质量，照片不会保存。</View>
      </View>
    </Card>
  );
}

export default function Guide() {
  const sub = useSubmission([...PHOTO_STATES, "CODE_BOUND"]);
  const act = useAction();
  // a double tap would open the permission page twice (the lower one left on its spinner)
  const opening = useAction();
  const [pre, setPre] = useState<PhotoPrecheck | null>(null);
  if (sub.loading) return <Screen step="guide"><Loading /></Screen>;
  if (sub.error || !sub.data) return <Screen step="guide"><ErrorState message={sub.error ?? "加载失败"} onRetry={() => void sub.reload()} /></Screen>;
  const retake = sub.data.state === "COMPARE_BLOCKED";
  // before paying: the rules, and a free quality check of one photo (no standardisation, no comparison)
  const beforePaying = sub.data.state === "CODE_BOUND";
  const precheck = () =>
    act.run(async () => {
      const img = await pickImage("album");
      if (!img) return;
      setPre(null);
      setPre(await api.precheckPhoto(sub.data!.id, "ALBUM", uploadOf(img)));
    });

  return (
    <Screen
      step="guide"
      subtitle={beforePaying ? "支付前可以免费检测一张照片是否合格" : "拍摄前请花 1 分钟看完，能大大减少重拍"}
      testId="page-guide"
      footer={
        beforePaying ? (
          <>
            <Button onClick={() => void precheck()} loading={act.busy}>
              {pre ? "再检测一张照片" : "免费检测一张照片"}
            </Button>
            <Button kind="secondary" onClick={() => void (Taro.getCurrentPages().length > 1 ? Taro.navigateBack() : goStep("pay"))}>
              返回支付
            </Button>
          </>
        ) : (
          <>
            <Button onClick={() => void opening.run(async () => void (await openPage("permission")))} loading={opening.busy}>开始拍摄</Button>
            <Button kind="secondary" onClick={() => void goStep("capture", { source: "album" })}>
              从相册选择证件照
            </Button>
          </>
        )
      }
    >
      {beforePaying ? <Notice type="info" title="支付前免费检测">选择一张照片，系统只检测照片质量（不做标准化和人像比对），照片不会保存。每天可检测 5 次。</Notice> : null}
      {act.error ? <Notice type="error" title="检测未完成">{act.error}</Notice> : null}
      {pre ? <PrecheckResult r={pre} /> : null}
      {retake ? <Notice type="warn" title="请更换其他照片">上一张照片人像比对未通过，请按以下要求重新拍摄一张。</Notice> : null}
      <Card title="合格照片示例">
        <View className="good">
          <View className="good-img">
            <Image className="fill" src={portrait("good")} mode="scaleToFill" />
          </View>
          <View className="good-rules">
            {RULES.map((r) => (
              <View className="good-rule" key={r}>
                <Image className="good-check" src={icon("check", "#16A34A")} />
                <Text className="list-text">{r}</Text>
              </View>
            ))}
          </View>
        </View>
      </Card>
      <Card title="这些照片不合格">
        <View className="examples">
          {BAD.map((b) => (
            <View className="example" key={b.flaw}>
              <Image className="example-pic" src={portrait(b.flaw)} mode="scaleToFill" />
              <View className="example-label bad">✕ {b.label}</View>
            </View>
          ))}
        </View>
      </Card>
      <Card title="光线与拍摄">
        <View className="list-item">
          <Image className="tip-icon" src={icon("sun")} />
          <Text className="list-text">白天在室外自然光线下拍摄，人脸无阴影即可；避免逆光和顶光。</Text>
        </View>
        <View className="list-item">
          <Image className="tip-icon" src={icon("user")} />
          <Text className="list-text">可现场让他人使用后置摄像头帮你拍摄，效果更好。</Text>
        </View>
      </Card>
      <Card title="从相册上传的照片要求">
        <View className="muted">浅蓝色背景，免冠正面像，人像清晰，露眉毛、眼睛和双耳；严禁翻拍或扫描纸质照片，不能美颜。</View>
        <View className="album-specs">
          <View className="spec"><View className="spec-v">3:4</View><View className="spec-k">宽高比</View></View>
          <View className="spec"><View className="spec-v">480–1350</View><View className="spec-k">宽（像素）</View></View>
          <View className="spec"><View className="spec-v">640–1800</View><View className="spec-k">高（像素）</View></View>
          <View className="spec"><View className="spec-v">50K–1M</View><View className="spec-k">JPG 文件</View></View>
        </View>
        <View className="muted">使用照相馆拍摄的证件照时，上身取像请裁剪至胸口处。</View>
      </Card>
    </Screen>
  );
}
