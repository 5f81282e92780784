import type { MessageKey } from "../../i18n";

export interface DomainHint {
  /** Catalog key of the explanation. */
  key: MessageKey;
  params?: Record<string, string>;
  /** A corrected name the user can accept with one click. */
  suggestion?: string;
  /** True when the server would certainly refuse the name: do not send it. */
  blocking: boolean;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Endings people type alone, meaning "my .org domain" (the server knows the full list). */
const COMMON_SUFFIXES = new Set(
  "com org net info biz io co me app dev xyz online site shop eu us uk de fr it es nl pl ch at se no fi dk cz ru su рф by kz ua".split(
    " ",
  ),
);
const IPV6 = /^\[?[0-9a-f:]+\]?$/i;

/**
 * Hints while typing a domain name, before the server has its say (it decides: public suffixes,
 * the service's own domains, occupied names). Catches the usual slips: a URL or an e-mail address
 * instead of a name, spaces, an IP address, a single label.
 */
export function domainHint(raw: string): DomainHint | null {
  const typed = raw.trim();
  if (typed === "") return { key: "connect.hint.empty", blocking: true };
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:]+)/i.exec(typed);
  if (url?.[1])
    return {
      key: "connect.hint.url",
      suggestion: url[1].toLowerCase().replace(/^www\./, ""),
      blocking: true,
    };
  if (typed.includes("@")) {
    const domain = typed.slice(typed.lastIndexOf("@") + 1);
    return {
      key: "connect.hint.email",
      ...(domain ? { suggestion: domain.toLowerCase() } : {}),
      blocking: true,
    };
  }
  if (/^www\./i.test(typed) && typed.split(".").length > 2) {
    return { key: "connect.hint.www", suggestion: typed.slice(4).toLowerCase(), blocking: false };
  }
  if (/[/?#]/.test(typed)) {
    const host = typed.split(/[/?#]/)[0] ?? "";
    return { key: "connect.hint.path", ...(host ? { suggestion: host.toLowerCase() } : {}), blocking: true };
  }
  if (/\s/.test(typed)) return { key: "connect.hint.spaces", blocking: true };
  if (IPV4.test(typed) || (typed.includes(":") && IPV6.test(typed)))
    return { key: "connect.hint.ip", blocking: true };
  const name = typed.replace(/\.$/, "");
  // ".org", "org", ".co.uk": only the ending, not a domain someone owns.
  const ending = name.replace(/^\./, "").toLowerCase();
  if (name.startsWith(".") || (!ending.includes(".") && COMMON_SUFFIXES.has(ending))) {
    return { key: "connect.hint.suffix", params: { suffix: ending }, blocking: true };
  }
  if (!name.includes(".")) return { key: "connect.hint.oneLabel", params: { name }, blocking: true };
  if (name.includes("..")) return { key: "connect.hint.emptyLabel", blocking: true };
  if (/[_*%!,;'"()<>\\]/.test(name)) return { key: "connect.hint.characters", blocking: true };
  if (name.length > 253) return { key: "connect.hint.tooLong", blocking: true };
  if (name.split(".").some((label) => label.length > 63))
    return { key: "connect.hint.labelTooLong", blocking: true };
  if (name.split(".").some((label) => label.startsWith("-") || label.endsWith("-"))) {
    return { key: "connect.hint.hyphen", blocking: true };
  }
  return null;
}
