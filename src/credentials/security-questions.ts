import { AppError } from "../lib/errors.js";

/**
 * Security questions come from a fixed catalog (as in the original service). Because the catalog
 * is fixed, restore access can show a plausible question for a login that does not exist or that
 * has other channels, and nobody learns which logins exist.
 */
export const SECURITY_QUESTIONS = {
  "mother-maiden-name": "Mother's maiden name",
  "first-pet": "Name of your first pet",
  "first-school": "Number or name of your first school",
  "favourite-teacher": "Surname of your favourite teacher",
  "childhood-street": "Street you grew up on",
  "passport-last-digits": "Last six digits of your passport",
} as const;

export type SecurityQuestionId = keyof typeof SECURITY_QUESTIONS;

export const isSecurityQuestion = (id: string): id is SecurityQuestionId =>
  Object.hasOwn(SECURITY_QUESTIONS, id);

/** Answers are compared after trimming, folding case and collapsing spaces. */
export const normaliseAnswer = (answer: string): string =>
  answer.normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");

/** A chosen question and its answer, checked; returns the normalised answer to hash. */
export function checkSecurityQuestion(question: string, answer: string): string {
  if (!isSecurityQuestion(question)) throw new AppError("SECURITY_QUESTION_INVALID");
  const normalised = normaliseAnswer(answer);
  if (normalised.length < 2) throw new AppError("SECURITY_QUESTION_INVALID", "The answer is too short.");
  return normalised;
}
