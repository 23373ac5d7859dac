import { Image, View } from "@tarojs/components";
import Taro from "@tarojs/taro";
import { api } from "../../lib/api";
import { goStep } from "../../lib/flow";
import { openWhereItIs } from "../../lib/recover";
import { useAction, useAsync, useSubmission } from "../../lib/hooks";
import { session } from "../../lib/session";
import { Button, Card, ContactCard, ErrorState, Loading, Notice, Screen } from "../../components/ui";
import "./index.css";

export default function Admission() {
  const sub = useSubmission(["SUBMITTED", "ADMISSION_CONFIRMED"]);
  const adm = useAsync(() => api.admissionPhoto(session.get().submissionId!), []);
  const act = useAction();
  // the dispute has its own: its dialog must not turn the compare button into 正在进行人像比对…
  const disputeAct = useAction();

  const compare = () =>
    act.run(async () => {
      const id = sub.data!.id;
      // the answer may have been lost after the comparison ran: then the page for the new state opens
      const r = await api.confirmAdmissionPhoto(id).catch((e: unknown) => openWhereItIs(e, id, ["SUBMITTED", "ADMISSION_CONFIRMED"], { comparison: null }).then(() => null));
      if (!r) return;
      session.set({ submission: r.submission, comparison: r.comparison });
      await goStep("compare");
    });

  const dispute = () =>
    disputeAct.run(async () => {
      const ok = await Taro.showModal({
        title: "录取照片有误或缺失？",
        content: "确认后将暂停人像比对，请联系学籍部门核实更正录取照片，以免产生错误的比对结果。",
        confirmText: "确认反馈",
        cancelText: "再看看",
      });
      if (!ok.confirm) return;
      const view = await api.disputeAdmissionPhoto(sub.data!.id, adm.data?.status === "MISSING" ? "录取照片缺失" : "录取照片有误");
      session.set({ submission: view });
      await goStep("status");
    });

  if (sub.loading || adm.loading) return <Screen step="admission"><Loading /></Screen>;
  const error = sub.error ?? adm.error;
  if (error || !sub.data || !adm.data) return <Screen step="admission"><ErrorState message={error ?? "加载失败"} onRetry={() => void Promise.all([sub.reload(), adm.reload()])} /></Screen>;
  const a = adm.data;
  const failure = act.error ?? disputeAct.error;
  const present = a.status === "PRESENT" && a.url;

  return (
    <Screen
      step="admission"
      subtitle="比对前请确认录取照片是否为本人"
      testId="page-admission"
      footer={
        present ? (
          <>
            <Button onClick={() => void compare()} loading={act.busy} disabled={disputeAct.busy}>
              {act.busy ? "正在进行人像比对…" : "是本人，开始比对"}
            </Button>
            <Button kind="danger" disabled={act.busy || disputeAct.busy} onClick={() => void dispute()}>
              录取照片有误或缺失
            </Button>
          </>
        ) : (
          <Button kind="danger" onClick={() => void dispute()} loading={disputeAct.busy} disabled={a.status === "DISPUTED"}>
            {a.status === "DISPUTED" ? "已反馈，请联系学籍部门" : "反馈录取照片缺失"}
          </Button>
        )
      }
    >
      {failure ? <Notice type="error">{failure}</Notice> : null}
      {present ? (
        <>
          <Card title="你的录取照片">
            <View className="adm-wrap">
              <View className="adm-photo">
                <Image className="fill" src={a.url!} mode="aspectFill" />
              </View>
            </View>
            <View className="muted center">录取照片由学校提供，不可更换</View>
          </Card>
          <Notice type="warn" title="请仔细确认">
            如录取照片不是你本人或缺失，请点击「录取照片有误或缺失」并联系学籍部门，不要进行比对，以免产生错误结果。
          </Notice>
        </>
      ) : (
        <Notice type="error" title={a.status === "DISPUTED" ? "录取照片已反馈有误" : "没有找到你的录取照片"}>
          无法进行人像比对。请联系学校学籍部门核实录取照片，处理完成后再继续。
        </Notice>
      )}
      <ContactCard contacts={sub.data.contacts} show={["registrar"]} title="学籍部门" />
    </Screen>
  );
}
