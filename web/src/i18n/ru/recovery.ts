import type { recovery as en } from "../en/recovery.js";
import type { Translation } from "../translation.js";

/** Восстановление доступа к учётной записи без пароля. */
export const recovery = {
  "restore.title": "Восстановление доступа",
  "restore.intro": "Задайте новый пароль, подтвердив, что учётная запись ваша.",
  "restore.stepOf": "Шаг {step} из {total}",
  "restore.login.title": "Какая учётная запись?",
  "restore.method.title": "Как вы подтвердите, что учётная запись ваша?",
  "restore.method.phone": "Кодом на мой телефон",
  "restore.method.phone.hint": "Введите полный номер, подтверждённый в учётной записи.",
  "restore.method.email": "Кодом на мою резервную почту",
  "restore.method.email.hint": "Введите полный адрес, подтверждённый в учётной записи.",
  "restore.method.question": "В учётной записи нет ни телефона, ни почты",
  "restore.method.question.hint": "Ответьте на контрольный вопрос.",
  "restore.method.sendCode": "Отправить код",
  "restore.method.showQuestion": "Показать вопрос",
  "restore.contact.phone": "Номер телефона в учётной записи",
  "restore.contact.email": "Резервная почта в учётной записи",
  "restore.contact.hint": "Введите полностью; он должен точно совпадать с указанным в учётной записи.",
  "restore.code.title": "Введите код",
  "restore.code.sentPhone":
    "Если данные совпадают с учётной записью, мы отправили код на {contact}. Он действует 10 минут.",
  "restore.code.sentEmail":
    "Если данные совпадают с учётной записью, мы отправили код на {contact}. Он действует 10 минут. Проверьте и папку «Спам».",
  "restore.code.resent": "Если данные совпадают, новый код уже в пути. Прежний код больше не действует.",
  "restore.code.submit": "Проверить код",
  "restore.code.resend": "Отправить новый код",
  "restore.code.other": "Выбрать другой способ",
  "restore.answer.title": "Ответьте на контрольный вопрос",
  "restore.answer.hint": "Регистр букв и лишние пробелы не важны.",
  "restore.answer.submit": "Проверить ответ",
  "restore.password.title": "Придумайте новый пароль",
  "restore.password.twoFactor":
    "Для этой учётной записи включена двухфакторная аутентификация: введите также код из приложения-аутентификатора.",
  "restore.password.submit": "Сохранить новый пароль",
  "restore.backToSignIn": "Вернуться ко входу",

  "audit.action.password.reset": "Пароль сброшен при восстановлении доступа",
  "audit.action.recovery.code-requested": "Запрошен код восстановления доступа",
  "audit.action.recovery.code-failure": "Неверный код восстановления доступа",
  "audit.action.recovery.question-failure": "Неверный ответ на контрольный вопрос",
  "audit.action.recovery.two-factor-failure": "Неверный код аутентификатора при восстановлении доступа",

  "error.RECOVERY_INVALID": "По этим данным восстановить доступ нельзя. Проверьте их или начните заново.",
} as const satisfies Translation<typeof en>;
