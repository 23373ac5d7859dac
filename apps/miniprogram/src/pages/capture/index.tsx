import { Camera, Image, Text, View } from "@tarojs/components";
import Taro from "@tarojs/taro";
import { useState } from "react";
import { api, ApiRequestError } from "../../lib/api";
import { IS_WEAPP } from "../../lib/env";
import { goStep, openPage } from "../../lib/flow";
import { PHOTO_STATES, useAction, useSubmission } from "../../lib/hooks";
import { pickImage, uploadOf, type PickedImage } from "../../lib/media";
import { session } from "../../lib/session";
import { Button, Card, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import { cameraGuide, icon, portrait } from "../../components/art";
import "./index.css";

type Taken = PickedImage & { source: "CAMERA" | "ALBUM" };

export default function Capture() {
  const sub = useSubmission(PHOTO_STATES);
  const albumOnly = Taro.getCurrentInstance().router?.params?.source === "album";
  const [taken, setTaken] = useState<Taken | null>(null);
  const [facing, setFacing] = useState<"front" | "back">("front");
  const [cameraError, setCameraError] = useState(false);
  const act = useAction();

  const pick = (source: "camera" | "album", face: "user" | "environment" = "user") =>
    act.run(async () => {
      const img = await pickImage(source, face);
      if (img) setTaken({ ...img, source: source === "camera" ? "CAMERA" : "ALBUM" });
    });

  const shoot = () =>
    act.run(async () => {
      // selfieMirror: WeChat mirrors front-camera shots by default (2.22.0+); an ID photo shows the face as it is
      const r = await new Promise<string>((resolve, reject) =>
        // (Taro's typings predate selfieMirror; the weapp journeys check the call against WeChat's own)
        Taro.createCameraContext().takePhoto({ quality: "high", selfieMirror: false, success: (x: { tempImagePath: string }) => resolve(x.tempImagePath), fail: reject } as Taro.CameraContext.TakePhotoOption),
      );
      setTaken({ path: r, name: "photo.jpg", size: 0, source: "CAMERA" });
    });

  const upload = () =>
    act.run(async () => {
      const id = sub.data!.id, before = sub.data!.currentPhotoId;
      const r = await api.uploadPhoto(id, taken!.source, uploadOf(taken!)).catch(async (e: unknown) => {
        if (!(e instanceof ApiRequestError && e.code === "NETWORK_ERROR")) throw e; // the server answered: its message stands
        // no answer (a weak network, the app sent to the background): the photo may have been stored
        // and accepted all the same; then its result is shown instead of an error and a second upload
        const view = await api.submission(id).catch(() => null);
        if (view?.currentPhotoId && view.currentPhotoId !== before) return { photo: await api.photo(id, view.currentPhotoId), submission: view };
        throw e;
      });
      session.set({ photo: r.photo, submission: r.submission, standardize: null });
      await goStep("check");
    });

  if (sub.loading) return <Screen step="capture"><Loading /></Screen>;
  if (sub.error || !sub.data) return <Screen step="capture"><ErrorState message={sub.error ?? "加载失败"} onRetry={() => void sub.reload()} /></Screen>;

  // Review before upload (拍摄后照片确认)
  if (taken) {
    return (
      <Screen
        step="capture"
        subtitle="请确认头部在虚线框内、肩膀水平、面部清晰"
        testId="page-capture-review"
        footer={
          <>
            <Button onClick={() => void upload()} loading={act.busy}>
              {act.busy ? "正在检测照片…" : "使用这张照片，开始检测"}
            </Button>
            <Button kind="secondary" disabled={act.busy} onClick={() => setTaken(null)}>
              {taken.source === "CAMERA" ? "重新拍摄" : "重新选择"}
            </Button>
          </>
        }
      >
        {act.error ? <Notice type="error" title="上传失败">{act.error}</Notice> : null}
        {act.busy ? <Notice type="info" title="正在检测照片质量">大约需要几秒钟，请不要离开本页。</Notice> : null}
        <View className="frame">
          <Image className="frame-photo" src={taken.path} mode="aspectFill" />
          <Image className="frame-guide" src={cameraGuide()} mode="scaleToFill" />
        </View>
        <View className="muted center">取像范围：头顶到胸口，头部位于虚线框内</View>
      </Screen>
    );
  }

  // Mini-program camera with the guide overlay.
  if (IS_WEAPP && !albumOnly && !cameraError) {
    return (
      <Screen step="capture" subtitle="对准虚线框，保持正面平视" testId="page-capture">
        {act.error ? <Notice type="error">{act.error}</Notice> : null}
        <View className="frame">
          <Camera className="frame-camera" devicePosition={facing} flash="off" resolution="high" onError={() => setCameraError(true)} />
          <Image className="frame-guide" src={cameraGuide()} mode="scaleToFill" />
        </View>
        <View className="cam-controls">
          <View className="cam-side" onClick={() => setFacing(facing === "front" ? "back" : "front")}>
            <Image className="cam-icon" src={icon("camera", "#1D4ED8")} />
            <Text>{facing === "front" ? "切换后置" : "切换前置"}</Text>
          </View>
          <View className="shutter" hoverClass="btn-hover" onClick={() => void shoot()} aria-label="拍照">
            <View className="shutter-inner" />
          </View>
          <View className="cam-side" onClick={() => void pick("album")}>
            <Image className="cam-icon" src={icon("album", "#1D4ED8")} />
            <Text>相册</Text>
          </View>
        </View>
        <Notice type="info" title="可现场让他人拍摄">请他人切换到后置摄像头，在 1 米左右平视拍摄，效果更好。</Notice>
      </Screen>
    );
  }

  // H5 (browser camera via file input), the album, or a mini-program camera that failed to open.
  return (
    <Screen
      step="capture"
      subtitle={albumOnly ? "选择一张符合要求的证件照" : "拍摄本人正面免冠头像"}
      testId="page-capture"
      footer={
        <Button kind={albumOnly ? "primary" : "secondary"} onClick={() => void pick("album")} loading={act.busy && albumOnly}>
          从相册选择
        </Button>
      }
    >
      {act.error ? <Notice type="error">{act.error}</Notice> : null}
      {cameraError ? (
        <Notice type="warn" title="无法打开摄像头">
          可能未允许使用摄像头。<Text className="phone-link" onClick={() => void openPage("permission")}>去开启</Text>，或从相册选择。
        </Notice>
      ) : null}
      <View className="frame frame-small">
        <Image className="frame-photo" src={portrait("good")} mode="aspectFill" />
        <Image className="frame-guide" src={cameraGuide()} mode="scaleToFill" />
      </View>
      {!albumOnly && !IS_WEAPP ? (
        <View className="tiles">
          <View className="tile" hoverClass="btn-hover" onClick={() => void pick("camera", "user")}>
            <Image className="tile-icon" src={icon("camera")} />
            <View className="tile-title">自己拍</View>
            <View className="tile-desc">前置摄像头</View>
          </View>
          <View className="tile" hoverClass="btn-hover" onClick={() => void pick("camera", "environment")}>
            <Image className="tile-icon" src={icon("user")} />
            <View className="tile-title">请他人拍</View>
            <View className="tile-desc">后置摄像头，效果更好</View>
          </View>
        </View>
      ) : (
        <Card title="相册照片要求">
          <View className="muted">浅蓝色背景，3:4，宽 480–1350、高 640–1800 像素，JPG 50K–1M；不得翻拍、扫描或美颜。</View>
        </Card>
      )}
    </Screen>
  );
}
