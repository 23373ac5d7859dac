import { Image, Text, View } from "@tarojs/components";
import type { ReactNode } from "react";
import type { Contacts } from "../lib/types";
import { PHASES, STEPS, openPage } from "../lib/flow";
import { call, phoneIn } from "../lib/wechat";
import { icon } from "./art";

type StepKey = keyof typeof STEPS;

/** Progress through the five phases, and this step's title. */
export function StepHeader({ step, subtitle, finished }: { step: StepKey; subtitle?: string; finished?: boolean }) {
  const { title } = STEPS[step];
  const phase = finished ? PHASES.length : STEPS[step].phase;
  return (
    <View className="step-header">
      <View className="phases">
        {PHASES.map((p, i) => (
          <View key={p} className={`phase ${i < phase ? "done" : i === phase ? "current" : ""}`}>
            <View className="phase-dot">{i < phase ? "✓" : String(i + 1)}</View>
            <Text className="phase-label">{p}</Text>
          </View>
        ))}
      </View>
      <View className="step-title">{title}</View>
      {subtitle ? <View className="step-subtitle">{subtitle}</View> : null}
    </View>
  );
}

/**
 * A page: optional step header, content, and a bottom action bar that stays in view. The action bar
 * is rendered twice — hidden in the flow as a spacer, and fixed — so content never hides behind it,
 * whatever the font size.
 */
export function Screen({ step, subtitle, children, footer, testId, finished }: { step?: StepKey; subtitle?: string; children: ReactNode; footer?: ReactNode; testId?: string; finished?: boolean }) {
  return (
    <View className="screen" data-testid={testId}>
      {step ? <StepHeader step={step} subtitle={subtitle} finished={finished} /> : null}
      <View className="content">{children}</View>
      {footer ? (
        <>
          <View className="footer footer-spacer" aria-hidden>
            {footer}
          </View>
          <View className="footer footer-fixed">{footer}</View>
        </>
      ) : null}
    </View>
  );
}

export function Card({ title, children, className, extra }: { title?: ReactNode; children: ReactNode; className?: string; extra?: ReactNode }) {
  return (
    <View className={`card ${className ?? ""}`}>
      {title ? (
        <View className="card-title">
          <Text>{title}</Text>
          {extra}
        </View>
      ) : null}
      {children}
    </View>
  );
}

export function Button({
  children,
  onClick,
  kind = "primary",
  disabled,
  loading,
  small,
}: {
  children: ReactNode;
  onClick?: () => void;
  kind?: "primary" | "secondary" | "text" | "danger" | "success";
  disabled?: boolean;
  loading?: boolean;
  small?: boolean;
}) {
  const off = Boolean(disabled || loading);
  return (
    <View
      className={`btn btn-${kind} ${small ? "btn-small" : ""} ${off ? "btn-disabled" : ""}`}
      hoverClass={off ? "none" : "btn-hover"}
      aria-disabled={off}
      role="button"
      onClick={() => {
        if (!off) onClick?.();
      }}
    >
      {loading ? <View className="spinner spinner-inline" /> : null}
      <Text>{children}</Text>
    </View>
  );
}

export function Notice({ type = "info", title, children }: { type?: "info" | "warn" | "error" | "success"; title?: ReactNode; children?: ReactNode }) {
  return (
    <View className={`notice notice-${type}`} role={type === "error" ? "alert" : undefined}>
      {title ? <View className="notice-title">{title}</View> : null}
      {children ? <View className="notice-body">{children}</View> : null}
    </View>
  );
}

export function Loading({ text = "加载中…" }: { text?: string }) {
  return (
    <View className="state-block" data-testid="loading">
      <View className="spinner" />
      <Text className="state-text">{text}</Text>
    </View>
  );
}

export function ErrorState({ message, onRetry, children }: { message: string; onRetry?: () => void; children?: ReactNode }) {
  return (
    <View className="state-block" role="alert">
      <Image className="state-icon" src={icon("info", "#DC2626")} />
      <Text className="state-text state-error">{message}</Text>
      {children}
      {onRetry ? (
        <Button kind="secondary" small onClick={onRetry}>
          重试
        </Button>
      ) : null}
    </View>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <View className="state-block">
      <Image className="state-icon" src={icon("doc", "#94A3B8")} />
      <Text className="state-title">{title}</Text>
      {children}
    </View>
  );
}

export function Row({ label, value, strong }: { label: string; value: ReactNode; strong?: boolean }) {
  return (
    <View className="row">
      <Text className="row-label">{label}</Text>
      <Text className={`row-value ${strong ? "row-strong" : ""}`}>{value}</Text>
    </View>
  );
}

/** A phone number (or text containing one) that dials on tap. */
export function PhoneLink({ text }: { text: string }) {
  const phone = phoneIn(text);
  if (!phone) return <Text>{text}</Text>;
  return (
    <Text className="phone-link" onClick={() => call(phone)}>
      {text}
    </Text>
  );
}

/** Customer service / 学籍部门 / payment contacts. */
export function ContactCard({ contacts, show = ["cs"], title = "需要帮助？" }: { contacts: Contacts; show?: Array<"cs" | "registrar" | "payment">; title?: string }) {
  return (
    <Card title={title} className="contact-card">
      {show.includes("registrar") ? (
        <View className="contact-item">
          <Text className="contact-label">学籍部门</Text>
          <PhoneLink text={contacts.registrarContact} />
        </View>
      ) : null}
      {show.includes("cs") ? (
        <View className="contact-item">
          <Text className="contact-label">客服电话</Text>
          <View>
            <PhoneLink text={contacts.customerServicePhone} />
            <View className="muted">{contacts.customerServiceHours}</View>
          </View>
        </View>
      ) : null}
      {show.includes("payment") ? (
        <View className="contact-item">
          <Text className="contact-label">支付问题</Text>
          <Text>{contacts.paymentContact}</Text>
        </View>
      ) : null}
      {show.includes("cs") ? (
        <Button kind="secondary" small onClick={() => void openPage("contact")}>
          联系客服
        </Button>
      ) : null}
    </Card>
  );
}

export function Badge({ kind, children }: { kind: "success" | "warn" | "error" | "info"; children: ReactNode }) {
  return <Text className={`badge badge-${kind}`}>{children}</Text>;
}

export function DevBanner({ children }: { children: ReactNode }) {
  return (
    <View className="dev-banner" data-testid="dev-banner">
      {children}
    </View>
  );
}
