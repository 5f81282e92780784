import { t } from "../i18n";
import { CodeField, TextField } from "./ui";

/** The second factor a form sends: the authenticator's code, or a recovery code when it is lost. */
export interface SecondFactor {
  useRecoveryCode: boolean;
  totpCode: string;
  recoveryCode: string;
}

export const NO_SECOND_FACTOR: SecondFactor = { useRecoveryCode: false, totpCode: "", recoveryCode: "" };

/** The body members for the API: `totpCode` or `recoveryCode`, whichever the person chose. */
export const secondFactorBody = (value: SecondFactor): { totpCode?: string; recoveryCode?: string } =>
  value.useRecoveryCode
    ? value.recoveryCode.trim()
      ? { recoveryCode: value.recoveryCode.trim() }
      : {}
    : value.totpCode
      ? { totpCode: value.totpCode }
      : {};

/**
 * The authenticator code field with "Lost your authenticator?" beside it, which swaps it for a
 * recovery code field (and back). Used wherever two-factor is asked for: sign-in, re-authentication,
 * restore access, turning two-factor off.
 */
export function SecondFactorFields({
  value,
  onChange,
  name = "totpCode",
  autoFocus,
  codeHint,
}: {
  value: SecondFactor;
  onChange: (value: SecondFactor) => void;
  name?: string;
  autoFocus?: boolean;
  codeHint?: string;
}) {
  const toggle = (
    <button
      type="button"
      className="link-button"
      onClick={() => onChange({ ...value, useRecoveryCode: !value.useRecoveryCode })}
    >
      {value.useRecoveryCode ? t("recoveryCodes.useAuthenticator") : t("recoveryCodes.lostAuthenticator")}
    </button>
  );
  return (
    <div className="second-factor">
      {value.useRecoveryCode ? (
        <TextField
          key="recovery"
          label={t("field.recoveryCode")}
          hint={t("field.recoveryCode.hint")}
          name="recoveryCode"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus
          maxLength={24}
          value={value.recoveryCode}
          onChange={(event) => onChange({ ...value, recoveryCode: event.target.value })}
        />
      ) : (
        <CodeField
          key="totp"
          autoFocus={autoFocus}
          label={t("field.totpCode")}
          hint={codeHint ?? t("field.totpCode.hint")}
          name={name}
          value={value.totpCode}
          onChange={(event) => onChange({ ...value, totpCode: event.target.value.trim() })}
        />
      )}
      <p className="second-factor-switch">{toggle}</p>
    </div>
  );
}
