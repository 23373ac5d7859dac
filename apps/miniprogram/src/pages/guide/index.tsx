import { Image, Text, View } from "@tarojs/components";
import { goStep, openPage } from "../../lib/flow";
import { PHOTO_STATES, useSubmission } from "../../lib/hooks";
import { Button, Card, ErrorState, Loading, Notice, Screen } from "../../components/ui";
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

export default function Guide() {
  const sub = useSubmission(PHOTO_STATES);
  if (sub.loading) return <Screen step="guide"><Loading /></Screen>;
  if (sub.error || !sub.data) return <Screen step="guide"><ErrorState message={sub.error ?? "加载失败"} onRetry={() => void sub.reload()} /></Screen>;
  const retake = sub.data.state === "COMPARE_BLOCKED";

  return (
    <Screen
      step="guide"
      subtitle="拍摄前请花 1 分钟看完，能大大减少重拍"
      testId="page-guide"
      footer={
        <>
          <Button onClick={() => void openPage("permission")}>开始拍摄</Button>
          <Button kind="secondary" onClick={() => void goStep("capture", { source: "album" })}>
            从相册选择证件照
          </Button>
        </>
      }
    >
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
