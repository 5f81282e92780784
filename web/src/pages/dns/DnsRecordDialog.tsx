import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api, client, errorMessage } from "../../api";
import {
  Button,
  Dialog,
  Form,
  FormError,
  SelectField,
  TextField,
  useAction,
  useFocusField,
} from "../../components/ui";
import { type MessageKey, t } from "../../i18n";
import type { DnsRecord, DomainView } from "../../types";

/** The types a customer edits; SOA is mfd's. */
export const EDITABLE_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "NS"] as const;
type EditableType = (typeof EDITABLE_TYPES)[number];

const FIELDS = ["name", "type", "ttl", "data"] as const;
type Field = (typeof FIELDS)[number];

/**
 * Which field an API error belongs to: the problem's own `field` when it names one of the form's,
 * else by code (a CNAME conflict is the name's, a TTL bound the TTL's). Null: the form's.
 */
export function recordErrorField(error: unknown): Field | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.problem.field;
  if (typeof field === "string" && (FIELDS as readonly string[]).includes(field)) return field as Field;
  switch (error.code) {
    case "CNAME_AT_APEX":
    case "CNAME_CONFLICT":
    case "NAME_TOO_LONG":
    case "LABEL_TOO_LONG":
      return "name";
    case "TTL_OUT_OF_RANGE":
      return "ttl";
    case "RECORD_TYPE_NOT_ALLOWED":
      return "type";
    case "INVALID_RECORD_DATA":
    case "DUPLICATE_RECORD":
      return "data";
    default:
      return null;
  }
}

const fieldError = (error: unknown, field: Field) =>
  recordErrorField(error) === field ? errorMessage(error) : null;

/** Adding a record (`record` null) or editing one: name, type, TTL and value, each with its error. */
export function DnsRecordDialog({
  open,
  view,
  record,
  onClose,
  onSaved,
}: {
  open: boolean;
  view: DomainView;
  record: DnsRecord | null;
  onClose: () => void;
  onSaved: (record: DnsRecord) => void;
}) {
  const [name, setName] = useState("@");
  const [type, setType] = useState<EditableType>("A");
  const [ttl, setTtl] = useState("");
  const [data, setData] = useState("");
  const { busy, error, setError, run } = useAction();
  useFocusField(recordErrorField(error), error);

  useEffect(() => {
    if (!open) return;
    setName(record?.name ?? "@");
    setType((record?.type as EditableType | undefined) ?? "A");
    setTtl(record ? String(record.ttl) : "");
    setData(record?.data ?? "");
    setError(null);
  }, [open, record, setError]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const body = {
        name: name.trim() || "@",
        type,
        data: data.trim(),
        ...(ttl.trim() ? { ttl: Number(ttl) } : {}),
      };
      const domain = view.name;
      const saved = record
        ? await api(() =>
            client.PATCH("/api/v1/domains/{name}/dns/records/{id}", {
              params: { path: { name: domain, id: record.id } },
              body,
            }),
          )
        : await api(() =>
            client.POST("/api/v1/domains/{name}/dns/records", { params: { path: { name: domain } }, body }),
          );
      onSaved(saved);
    });
  };

  return (
    <Dialog
      open={open}
      wide
      onClose={onClose}
      title={
        record ? t("dns.form.edit.title", { type: record.type, name: record.fqdn }) : t("dns.form.add.title")
      }
    >
      <Form onSubmit={submit}>
        <FormError error={recordErrorField(error) === null ? error : null} />
        <div className="field-row">
          <TextField
            label={t("dns.field.name")}
            hint={t("dns.field.name.hint", { domain: view.unicodeName })}
            error={fieldError(error, "name")}
            name="name"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={300}
            required
            autoFocus
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
          <SelectField
            label={t("dns.field.type")}
            error={fieldError(error, "type")}
            name="type"
            required
            value={type}
            disabled={record !== null}
            onChange={(event) => setType(event.target.value as EditableType)}
          >
            {EDITABLE_TYPES.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t("dns.field.ttl")}
            hint={t("dns.field.ttl.hint")}
            error={fieldError(error, "ttl")}
            name="ttl"
            inputMode="numeric"
            autoComplete="off"
            maxLength={7}
            value={ttl}
            onChange={(event) => setTtl(event.target.value.replace(/\D/g, ""))}
          />
        </div>
        <TextField
          label={t("dns.field.data")}
          hint={t(`dns.field.data.hint.${type}` as MessageKey)}
          error={fieldError(error, "data")}
          name="data"
          className="mono"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={4000}
          required
          value={data}
          onChange={(event) => setData(event.target.value)}
        />
        <div className="form-actions">
          <Button type="submit" busy={busy}>
            {record ? t("dns.form.save") : t("dns.form.add")}
          </Button>
          <Button variant="secondary" onClick={onClose}>
            {t("common.cancel")}
          </Button>
        </div>
      </Form>
    </Dialog>
  );
}
