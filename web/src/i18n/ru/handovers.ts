import type { handovers as en } from "../en/handovers.js";
import type { Translation } from "../translation.js";

/** Передачи: передача управления доменом другой учётной записи, принятие, отмена, восстановление доступа. */
export const handovers = {
  "handovers.nav": "Передачи",
  "handovers.title": "Передачи доменов",
  "handovers.intro":
    "Домены, которые передают вам или вы передаёте другим, и ваши заявки на восстановление доступа к управлению доменом.",
  "handovers.none": "Передач сейчас нет.",
  "handovers.column.domain": "Домен",
  "handovers.column.what": "Что происходит",
  "handovers.column.state": "Состояние",
  "handovers.column.until": "Действует до",
  "handovers.kind.incoming": "Передаётся вам",
  "handovers.kind.outgoing": "Вы передаёте пользователю {login}",
  "handovers.kind.outgoingSupport": "Передача управления по обращению в поддержку",
  "handovers.kind.restore": "Восстановление доступа",
  "handovers.state.awaiting-owner": "Ждёт подтверждения владельца",
  "handovers.state.offered": "Предложено",
  "handovers.state.proving": "Ждёт подтверждения в DNS",
  "handovers.state.waiting": "Период ожидания",
  "handovers.state.done": "Завершено",
  "handovers.state.cancelled": "Отменено",
  "handovers.state.expired": "Срок истёк",
  "handovers.state.failed": "Завершить не удалось",
  "handovers.incomingHint":
    "Чтобы принять домен, откройте ссылку, которую мы отправили на ваши подтверждённые контакты.",
  "handovers.cancel": "Отменить",
  "handovers.decline": "Отказаться",
  "handovers.cancelOne": "Отменить передачу домена {name}",
  "handovers.declineOne": "Отказаться от домена {name}",
  "handovers.cancelled": "Передача домена {name} отменена.",
  "handovers.restore.link": "Восстановить доступ к управлению доменом…",
  "handovers.refresh": "Обновить",

  "transfer.card.title": "Передать управление другой учётной записи",
  "transfer.card.text":
    "Передайте этот домен со всеми почтовыми ящиками, псевдонимами, DNS-записями и администраторами другой учётной записи сервиса. Новый владелец примет его по ссылке, которую мы ему отправим; до этого передачу можно отменить.",
  "transfer.field.login": "Логин получателя",
  "transfer.field.login.hint": "Логин учётной записи сервиса или её полный адрес, например {example}.",
  "transfer.submit": "Передать домен",
  "transfer.started":
    "Если {login} — учётная запись сервиса с подтверждённым контактом, ей отправлена ссылка для принятия домена. Мы также сообщили вам об этом по почте.",
  "transfer.pending":
    "Домен предложен пользователю {login} до {until}. Пока он не примет домен, домен остаётся вашим.",
  "transfer.pending.cancel": "Отменить передачу",
  "transfer.pending.cancelled": "Передача отменена; домен остаётся вашим.",

  "transfer.accept.title": "Принять домен",
  "transfer.accept.text":
    "Домен {name} передаётся вашей учётной записи {address} вместе с почтовыми ящиками, псевдонимами и DNS-записями.",
  "transfer.accept.loading": "Загружаем предложение…",
  "transfer.accept.submit": "Принять домен",
  "transfer.accept.decline": "Отказаться",
  "transfer.accept.done": "Теперь домен {name} ваш.",
  "transfer.accept.open": "Открыть {name}",
  "transfer.accept.declined": "Вы отказались от домена {name}.",
  "transfer.accept.noKey": "Ссылка неполная: откройте ссылку из письма целиком.",
  "transfer.accept.notYours":
    "Это предложение адресовано не той учётной записи, под которой вы вошли ({address}). Выйдите и войдите под учётной записью, которой передаётся домен.",
  "transfer.accept.ended": "Это предложение больше не действует ({state}).",

  "transfer.confirm.title": "Подтвердите передачу управления",
  "transfer.confirm.text":
    "Вы попросили поддержку передать управление доменом {name}. Укажите учётную запись сервиса, которая должна его получить; её владелец примет домен по ссылке, которую мы ему отправим.",
  "transfer.confirm.submit": "Подтвердить и передать домен",
  "transfer.confirm.done":
    "Домен {name} предложен пользователю {login}. Пока он не примет домен, домен остаётся вашим.",

  "transfer.cancelLink.title": "Отмена передачи домена",
  "transfer.cancelLink.text":
    "Кто-то попросил передать ваш домен другой учётной записи. Если вы этого не хотели, отмените передачу здесь; ничего не изменится, пока вы не нажмёте кнопку.",
  "transfer.cancelLink.submit": "Отменить передачу",
  "transfer.cancelLink.done": "Передача отменена: домен {name} остаётся у владельца.",
  "transfer.cancelLink.already": "Передача домена {name} уже завершилась ({state}).",

  "domainRestore.title": "Восстановление доступа к управлению доменом",
  "domainRestore.text":
    "Если DNS домена в ваших руках, но доступ к учётной записи, которая владеет им здесь, утрачен, подтвердите это DNS-записью. После периода ожидания, в течение которого нынешний владелец может отменить передачу, домен вместе с почтовыми ящиками перейдёт к этой учётной записи.",
  "domainRestore.field": "Домен",
  "domainRestore.submit": "Начать",
  "domainRestore.publish": "Опубликуйте эту TXT-запись в DNS домена и проверьте её:",
  "domainRestore.check": "Проверить запись",
  "domainRestore.checked.ok": "Запись опубликована. Период ожидания продлится до {until}.",
  "domainRestore.checked.other": "Пока нет: {detail}",
  "domainRestore.waiting": "Домен перейдёт к этой учётной записи {until}, если владелец не отменит передачу.",
} as const satisfies Translation<typeof en>;
