import type { FormEvent, ReactNode } from "react";
import { t } from "../i18n";
import { Button, Dialog, Form, FormError, TextField } from "./ui";

/**
 * Asks before something that cannot be undone (revoke, remove, delete): the danger button does it,
 * Cancel — focused first, so Enter never destroys by accident — closes. The dialog is open while
 * `open`; a failed attempt's `error` is shown above the buttons.
 */
export function ConfirmDialog({
  open,
  title,
  description,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
  /** More to know before confirming, under the error. */
  children?: ReactNode;
}) {
  return (
    <Dialog open={open} onClose={onClose} title={title} description={description}>
      <FormError error={error} />
      {children}
      <div className="form-actions">
        <Button variant="danger" className="button-danger-solid" busy={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
        <Button variant="secondary" autoFocus onClick={onClose}>
          {t("common.cancel")}
        </Button>
      </div>
    </Dialog>
  );
}

/**
 * The body of a dialog confirmed by typing the domain's name (disconnecting it, deleting all its
 * mailboxes): the danger button works only once the name — ASCII in any case, or as shown — is typed.
 */
export function TypeNameToConfirm({
  domain,
  typed,
  onTyped,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onClose,
}: {
  domain: { name: string; unicodeName: string };
  typed: string;
  onTyped: (value: string) => void;
  confirmLabel: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const matches = typed.trim().toLowerCase() === domain.name || typed.trim() === domain.unicodeName;
  return (
    <Form
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onConfirm();
      }}
    >
      <FormError error={error} />
      <TextField
        label={t("domain.disconnect.type", { name: domain.name })}
        name="confirm"
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        required
        autoFocus
        value={typed}
        onChange={(event) => onTyped(event.target.value)}
      />
      <div className="form-actions">
        <Button
          type="submit"
          variant="danger"
          className="button-danger-solid"
          busy={busy}
          disabled={!matches}
        >
          {confirmLabel}
        </Button>
        <Button variant="secondary" onClick={onClose}>
          {t("common.cancel")}
        </Button>
      </div>
    </Form>
  );
}
