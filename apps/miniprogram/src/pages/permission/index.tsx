import { Image, Text, View } from "@tarojs/components";
import Taro, { useDidShow } from "@tarojs/taro";
import { useEffect, useState } from "react";
import { IS_WEAPP } from "../../lib/env";
import { goStep } from "../../lib/flow";
import { Button, Card, Loading, Notice, Screen } from "../../components/ui";
import { icon } from "../../components/art";
import "./index.css";

type Status = "checking" | "ask" | "denied" | "system";

/**
 * Whether the phone itself denies WeChat the camera (iOS/Android settings). scope.camera then still
 * reads granted, but the camera cannot open, and 去设置开启 would lead back to the same failure.
 * (getAppAuthorizeSetting: base library 2.20.1; older ones cannot tell, and are treated as allowed.)
 */
function phoneDeniesCamera(): boolean {
  const get = (Taro as unknown as { getAppAuthorizeSetting?: () => { cameraAuthorized?: string } | undefined }).getAppAuthorizeSetting;
  try {
    return get?.()?.cameraAuthorized === "denied";
  } catch {
    return false;
  }
}

/** 获取手机摄像头拍摄权限 (scope.camera, and the phone's own permission for WeChat), with a way on when refused. */
export default function Permission() {
  const [status, setStatus] = useState<Status>(IS_WEAPP ? "checking" : "ask");

  // WeChat's permission granted: on to the camera, unless the phone's settings block it
  const granted = async () => {
    if (IS_WEAPP && phoneDeniesCamera()) setStatus("system");
    else await goStep("capture");
  };

  useEffect(() => {
    if (!IS_WEAPP) return;
    Taro.getSetting()
      .then((r) => {
        const scope = r.authSetting["scope.camera"];
        if (scope === true) void granted();
        else setStatus(scope === false ? "denied" : "ask");
      })
      .catch(() => setStatus("ask"));
  }, []);

  // back from the phone's settings page: look again
  useDidShow(() => {
    if (status === "system" && !phoneDeniesCamera()) void goStep("capture");
  });

  const allow = async () => {
    if (!IS_WEAPP) {
      await goStep("capture");
      return;
    }
    try {
      await Taro.authorize({ scope: "scope.camera" });
      await granted();
    } catch {
      setStatus("denied");
    }
  };

  const openSettings = async () => {
    const r = await Taro.openSetting().catch(() => null);
    if (r?.authSetting["scope.camera"]) await granted();
  };

  const openPhoneSettings = async () => {
    const open = (Taro as unknown as { openAppAuthorizeSetting?: (o: { success?: () => void; fail?: () => void }) => void }).openAppAuthorizeSetting;
    if (!open) return;
    await new Promise<void>((resolve) => open({ success: () => resolve(), fail: () => resolve() }));
    if (!phoneDeniesCamera()) await goStep("capture");
  };

  if (status === "checking") return <Screen step="permission"><Loading text="正在检查摄像头权限…" /></Screen>;

  return (
    <Screen
      step="permission"
      subtitle="拍摄本人头像需要使用手机摄像头"
      testId="page-permission"
      footer={
        status === "system" ? (
          <>
            <Button onClick={() => void openPhoneSettings()}>去手机设置开启</Button>
            <Button kind="secondary" onClick={() => void goStep("capture", { source: "album" })}>
              改为从相册选择证件照
            </Button>
          </>
        ) : status === "denied" ? (
          <>
            <Button onClick={() => void openSettings()}>去设置开启摄像头</Button>
            <Button kind="secondary" onClick={() => void goStep("capture", { source: "album" })}>
              改为从相册选择证件照
            </Button>
            <Button kind="text" onClick={() => void Taro.navigateBack().catch(() => goStep("guide"))}>
              返回拍照说明
            </Button>
          </>
        ) : (
          <>
            <Button onClick={() => void allow()}>{IS_WEAPP ? "允许使用摄像头" : "继续"}</Button>
            <Button kind="text" onClick={() => void goStep("capture", { source: "album" })}>
              不使用摄像头，从相册选择
            </Button>
          </>
        )
      }
    >
      {status === "system" ? (
        <Notice type="warn" title="手机未允许微信使用摄像头">
          请在手机「设置」中找到「微信」，打开「相机」权限后返回；也可以改为从相册选择符合要求的证件照。
        </Notice>
      ) : null}
      {status === "denied" ? (
        <Notice type="warn" title="你已拒绝使用摄像头">
          无法打开相机拍摄。请点击「去设置开启摄像头」，在设置页打开「摄像头」后返回；也可以改为从相册选择符合要求的证件照。
        </Notice>
      ) : null}
      <Card>
        <View className="perm">
          <Image className="perm-icon" src={icon("camera")} />
          <View className="perm-title">「毕业照片采集」申请使用你的摄像头</View>
          <View className="perm-desc">用于拍摄本人头像，照片仅用于本次学历照片采集</View>
        </View>
        <View className="perm-demo">
          <View className="perm-demo-title">{IS_WEAPP ? "微信将弹出授权提示：" : "浏览器或手机可能弹出授权提示："}</View>
          <View className="perm-dialog">
            <Text className="perm-dialog-text">使用你的摄像头 · 拍摄本人头像</Text>
            <View className="perm-dialog-btns">
              <Text className="perm-no">拒绝</Text>
              <Text className="perm-yes">允许</Text>
            </View>
          </View>
          <View className="muted center">请选择「允许」</View>
        </View>
      </Card>
    </Screen>
  );
}
