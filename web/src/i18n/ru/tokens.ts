import type { tokens as en } from "../en/tokens.js";
import type { Translation } from "../translation.js";

/** Личные API-токены и их права. */
export const tokens = {
  "permission.domains:read": "Просмотр доменов",
  "permission.domains:read.hint": "Состояние, маршрутизация почты и делегирование доменов.",
  "permission.mailboxes:read": "Просмотр почтовых ящиков",
  "permission.mailboxes:read.hint": "Список почтовых ящиков и псевдонимов.",
  "permission.mailboxes:write": "Управление почтовыми ящиками",
  "permission.mailboxes:write.hint":
    "Создание, изменение, блокировка и удаление почтовых ящиков и псевдонимов.",
  "permission.dns:read": "Просмотр DNS-записей",
  "permission.dns:read.hint": "Чтение обслуживаемой DNS-зоны.",
  "permission.dns:write": "Изменение DNS-записей",
  "permission.dns:write.hint": "Изменение обслуживаемой DNS-зоны.",

  "tokens.title": "API-токены",
  "tokens.intro":
    "Личные токены позволяют вашим скриптам работать с API mfd. Каждый ограничен выбранными доменами и правами, имеет срок действия и никогда не получает больше прав, чем у вас.",
  "tokens.create": "Создать токен",
  "tokens.create.title": "Новый API-токен",
  "tokens.create.text":
    "Дайте ему только то, что нужно скрипту. Токены никогда не могут менять пароли, контакты, токены или администраторов.",
  "tokens.field.name": "Название",
  "tokens.field.name.hint": "Чтобы потом узнать его, например «Ночная выгрузка».",
  "tokens.field.permissions": "Что ему можно",
  "tokens.field.domains": "На каких доменах",
  "tokens.scope.all": "Все мои домены",
  "tokens.scope.all.hint": "Все домены, которыми вы владеете или управляете, сейчас и в будущем.",
  "tokens.scope.allShort": "Все мои домены",
  "tokens.scope.some": "Только эти домены",
  "tokens.scope.some.hint": "Выберите ниже.",
  "tokens.scope.noDomains": "У вас пока нет подтверждённых доменов.",
  "tokens.noDomains.text":
    "У вас ещё нет подтверждённого домена, поэтому токен может видеть только список ваших доменов. Когда владение доменом будет подтверждено, токены смогут управлять его почтовыми ящиками и DNS.",
  "tokens.noDomains.link": "Перейти в «Мои домены»",
  "tokens.noDomains.permission": "Нужен подтверждённый домен.",
  "tokens.scope.asDeputy": "Как администратор: только почтовые ящики",
  "tokens.field.days": "Срок действия (дней)",
  "tokens.field.days.hint": "Не больше {max} дней. Токен истечёт {date}.",
  "tokens.field.days.range": "Целое число дней от 1 до {max}.",
  "tokens.create.submit": "Создать токен",
  "tokens.error.name": "Дайте токену название.",
  "tokens.error.permissions": "Выберите хотя бы одно право.",
  "tokens.error.domains": "Выберите хотя бы один домен или все ваши домены.",
  "tokens.error.days": "Укажите целое число дней от 1 до {max}.",
  "tokens.secret.title": "Ваш новый токен «{name}»",
  "tokens.secret.warningTitle": "Скопируйте его сейчас.",
  "tokens.secret.warning":
    "Токен показывается только один раз: мы храним лишь его отпечаток. Храните его как пароль; если он потеряется, отзовите его и создайте новый.",
  "tokens.secret.label": "Токен",
  "tokens.secret.usage": "Скрипты передают его в заголовке Authorization: Bearer <token>.",
  "tokens.secret.done": "Токен сохранён",
  "tokens.list.title": "Ваши токены",
  "tokens.column.name": "Название",
  "tokens.column.permissions": "Права",
  "tokens.column.domains": "Домены",
  "tokens.column.expires": "Истекает",
  "tokens.column.lastUsed": "Последнее использование",
  "tokens.neverUsed": "Ни разу",
  "tokens.hint": "Заканчивается на …{hint}",
  "tokens.state.revoked": "Отозван",
  "tokens.state.expired": "Истёк",
  "tokens.empty.title": "API-токенов нет",
  "tokens.empty.text":
    "Создайте токен, когда скрипту понадобится управлять вашими доменами или почтовыми ящиками.",
  "tokens.revoke": "Отозвать",
  "tokens.revokeOne": "Отозвать токен {name}",
  "tokens.revoke.title": "Отозвать «{name}»?",
  "tokens.revoke.text":
    "Скрипты, которые им пользуются, получат отказ со следующего запроса. Это нельзя отменить.",
  "tokens.revoke.confirm": "Отозвать токен",
  "tokens.revoked": "Токен «{name}» отозван.",

  "audit.action.token.create": "API-токен создан",
  "audit.action.token.revoke": "API-токен отозван",
  "audit.action.token.exposed": "API-токен отозван: он оказался в веб-адресе",

  "error.TOKEN_LIMIT_REACHED": "Достигнут предел числа API-токенов. Сначала отзовите один из них.",
  "error.SCOPE_EXCEEDS_RIGHTS":
    "У токена не может быть больше прав, чем у вас, а на домене {domain} вам не всё это разрешено. На доменах, которыми вы управляете за другого владельца, выбирайте только права на почтовые ящики.",
} as const satisfies Translation<typeof en>;
