import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { AppError } from "../lib/errors.js";

/** A phone typed by a user, as E.164 (`+79161234567`); only full international numbers. */
export function normalisePhone(input: string): string {
  const trimmed = input.trim();
  if (!trimmed.startsWith("+") && !trimmed.startsWith("00")) {
    throw new AppError(
      "PHONE_INVALID",
      "Type the full international number, starting with + and the country code.",
    );
  }
  const phone = parsePhoneNumberFromString(trimmed.replace(/^00/, "+"));
  if (!phone?.isValid()) throw new AppError("PHONE_INVALID");
  return phone.number;
}

const EMAIL = /^[^\s@"<>()[\],;:\\]{1,64}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An e-mail address with its domain in lower case (and punycode); local parts kept as typed. */
export function normaliseEmail(input: string): string {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf("@");
  if (at < 1 || trimmed.length > 254) throw new AppError("EMAIL_INVALID");
  let domain: string;
  try {
    domain = new URL(`http://${trimmed.slice(at + 1)}`).hostname;
  } catch {
    throw new AppError("EMAIL_INVALID");
  }
  const address = `${trimmed.slice(0, at)}@${domain}`;
  if (!EMAIL.test(address)) throw new AppError("EMAIL_INVALID");
  return address;
}

/** `+7 916 ***-**-67`-style mask for showing a contact back to its owner. */
export const maskPhone = (phone: string): string =>
  `${phone.slice(0, 4)}${"•".repeat(Math.max(0, phone.length - 6))}${phone.slice(-2)}`;
export const maskEmail = (email: string): string => {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}${"•".repeat(Math.max(1, local.length - 1))}@${domain}`;
};
