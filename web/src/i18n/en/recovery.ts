/** Restoring access to an account without its password. */
export const recovery = {
  "restore.title": "Restore access",
  "restore.intro": "Set a new password after proving the account is yours.",
  "restore.stepOf": "Step {step} of {total}",
  "restore.login.title": "Which account?",
  "restore.method.title": "How do you want to prove it is yours?",
  "restore.method.phone": "A code to my phone",
  "restore.method.phone.hint": "Type the full number confirmed on the account.",
  "restore.method.email": "A code to my recovery e-mail",
  "restore.method.email.hint": "Type the full address confirmed on the account.",
  "restore.method.question": "I have no phone or e-mail on the account",
  "restore.method.question.hint": "Answer the security question instead.",
  "restore.method.sendCode": "Send the code",
  "restore.method.showQuestion": "Show the question",
  "restore.contact.phone": "Phone number on the account",
  "restore.contact.email": "Recovery e-mail on the account",
  "restore.contact.hint": "Type it in full; it must match exactly what the account has.",
  "restore.code.title": "Enter the code",
  "restore.code.sentPhone":
    "If the details match an account, we sent a code to {contact}. It is valid for 10 minutes.",
  "restore.code.sentEmail":
    "If the details match an account, we sent a code to {contact}. It is valid for 10 minutes. Check the spam folder too.",
  "restore.code.resent": "If the details match, a new code is on its way. The previous code no longer works.",
  "restore.code.submit": "Check the code",
  "restore.code.resend": "Send a new code",
  "restore.code.other": "Use another way",
  "restore.answer.title": "Answer the security question",
  "restore.answer.hint": "Letter case and extra spaces do not matter.",
  "restore.answer.submit": "Check the answer",
  "restore.password.title": "Choose a new password",
  "restore.password.twoFactor":
    "Two-factor authentication is on for this account: enter the code from your authenticator app too.",
  "restore.password.submit": "Set the new password",
  "restore.backToSignIn": "Back to sign in",

  "audit.action.password.reset": "Password reset by restoring access",
  "audit.action.recovery.code-requested": "Restore-access code requested",
  "audit.action.recovery.code-failure": "Wrong restore-access code",
  "audit.action.recovery.question-failure": "Wrong security answer",
  "audit.action.recovery.two-factor-failure": "Wrong authenticator code while restoring access",

  "error.RECOVERY_INVALID": "These details do not let you restore access. Check them, or start again.",
} as const;
