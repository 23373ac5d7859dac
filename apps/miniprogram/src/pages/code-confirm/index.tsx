import { Text, View } from "@tarojs/components";
import { useEffect, useRef } from "react";
import { api } from "../../lib/api";
import { maskName } from "../../lib/format";
import { continueWith, goStep } from "../../lib/flow";
import { useAction, useSubmission } from "../../lib/hooks";
import { session, useSession } from "../../lib/session";
import { Badge, Button, Card, ContactCard, ErrorState, Loading, Notice, Row, Screen } from "../../components/ui";

export default function CodeConfirm() {
  const sub = useSubmission(["CONSENTED"]);
  const { codePreview: p } = useSession();
  const act = useAction();

  // Set once the code is bound: from then on an empty preview must not send the graduate back to
  // the upload page (two redirects at once left two pages on screen).
  const leaving = useRef(false);

  useEffect(() => {
    if (sub.data && !p && !leaving.current) void goStep("code");
  }, [sub.data, p]);

  const confirm = () =>
    act.run(async () => {
      const r = await api.confirmCaptureCode(sub.data!.id, p!.codeToken);
      leaving.current = true;
      session.set({ submission: r.submission, codePreview: null });
      await continueWith(r.submission);
    });

  if (sub.loading || !p) return <Screen step="codeConfirm"><Loading /></Screen>;
  if (sub.error || !sub.data) return <Screen step="codeConfirm"><ErrorState message={sub.error ?? "加载失败"} onRetry={() => void sub.reload()} /></Screen>;
  const consistent = p.consistent.name && p.consistent.idNumber;

  return (
    <Screen
      step="codeConfirm"
      subtitle="请核对采集码信息是否为本人"
      testId="page-code-confirm"
      footer={
        <>
          <Button onClick={() => void confirm()} loading={act.busy}>
            信息无误，确认绑定
          </Button>
          <Button kind="secondary" onClick={() => void goStep("code")}>
            信息不对，重新上传
          </Button>
        </>
      }
    >
      {act.error ? <Notice type="error" title="绑定失败">{act.error}</Notice> : null}
      {consistent ? (
        <Notice type="success" title="采集码识别成功">采集码与学校名单中的学籍信息一致。</Notice>
      ) : (
        <Notice type="warn" title="部分信息与学校名单不一致">
          请仔细核对{!p.consistent.name ? "姓名" : ""}{!p.consistent.name && !p.consistent.idNumber ? "、" : ""}{!p.consistent.idNumber ? "证件号" : ""}。如不是本人，请勿绑定，重新上传本人的采集码。
        </Notice>
      )}
      <Card title="采集码信息" extra={<Badge kind="info">已脱敏</Badge>}>
        <Row label="姓名" value={p.fields.maskedName} strong />
        <Row label="证件号码" value={p.fields.maskedIdNumber} />
        <Row label="学校" value={`${p.fields.schoolName}（${p.fields.schoolCode}）`} />
        {p.fields.degreeLevel ? <Row label="层次" value={p.fields.degreeLevel} /> : null}
        <Row label="学籍编号" value={p.fields.uniqueNumber} />
      </Card>
      <Card title="学校名单中的信息">
        <Row label="姓名" value={maskName(p.rosterEntry.name)} />
        <Row label="学院" value={p.rosterEntry.college} />
        <Row label="专业" value={p.rosterEntry.major} />
        <Row label="层次" value={p.rosterEntry.degreeLevel} />
      </Card>
      <Card title="学校名称或院校代码不对？">
        <View className="muted">如因学籍异动造成采集码上的学校名称（院校代码）不一致，请到学校学籍部门修改更新学信网信息后，再重新下载图像采集码。</View>
        <View className="gap" />
        <Text className="small">学籍部门：{sub.data.contacts.registrarContact}</Text>
      </Card>
      <ContactCard contacts={sub.data.contacts} />
    </Screen>
  );
}
