// Values the user copies elsewhere (DNS records, a new token), with a copy button.
import { useEffect, useState } from "react";
import { t } from "../../i18n";

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Plain-http consoles are not a secure context: fall back to a selection copy.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** Copies a value; the result is announced politely next to the button. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = window.setTimeout(() => setState("idle"), 2500);
    return () => window.clearTimeout(timer);
  }, [state]);
  return (
    <span className="copy">
      <button
        type="button"
        className="button button-secondary button-small"
        aria-label={t("common.copyWhat", { what: label })}
        onClick={async () => setState((await copyText(value)) ? "copied" : "failed")}
      >
        {state === "copied" ? t("common.copied") : t("common.copy")}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {state === "copied"
          ? t("common.copiedWhat", { what: label })
          : state === "failed"
            ? t("common.copyFailed")
            : ""}
      </span>
    </span>
  );
}

/** A value the user has to copy somewhere else, with its copy button. */
export function CopyValue({ label, value }: { label: string; value: string }) {
  return (
    <div className="copy-value">
      <dt>{label}</dt>
      <dd>
        <code>{value}</code>
        <CopyButton value={value} label={label} />
      </dd>
    </div>
  );
}
