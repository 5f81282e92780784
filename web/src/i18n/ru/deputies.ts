import type { deputies as en } from "../en/deputies.js";
import type { Translation } from "../translation.js";

/** Дополнительные администраторы домена. */
export const deputies = {
  "deputies.add.title": "Добавить администратора",
  "deputies.add.text":
    "Другая учётная запись сервиса, которая будет управлять почтовыми ящиками домена вместе с вами. Администратор входит под своей учётной записью и своим паролем.",
  "deputies.field.login": "Логин администратора",
  "deputies.field.login.hint": "Логин учётной записи сервиса или её полный адрес, например {example}.",
  "deputies.field.dns": "Может также изменять DNS-записи домена",
  "deputies.field.dns.hint": "Только пока DNS домена обслуживается здесь. Это можно изменить позже.",
  "deputies.add.submit": "Добавить администратора",
  "deputies.added": "{address} теперь администратор домена.",
  "deputies.list.title": "Администраторы",
  "deputies.none": "Кроме вас, этим доменом никто не управляет.",
  "deputies.column.account": "Учётная запись",
  "deputies.column.dns": "DNS-записи",
  "deputies.column.added": "Добавлен",
  "deputies.dns.yes": "Может изменять",
  "deputies.dns.no": "Нет",
  "deputies.dns.notDelegated": "Вступит в силу, когда DNS домена будет обслуживаться здесь.",
  "deputies.grantDns": "Разрешить DNS",
  "deputies.grantDnsOne": "Разрешить {address} изменять DNS-записи",
  "deputies.revokeDns": "Запретить DNS",
  "deputies.revokeDnsOne": "Запретить {address} изменять DNS-записи",
  "deputies.dnsGranted": "{address} теперь может изменять DNS-записи домена.",
  "deputies.dnsRevoked": "{address} больше не может изменять DNS-записи домена.",
  "deputies.remove": "Удалить",
  "deputies.removeOne": "Удалить {address}",
  "deputies.remove.title": "Удалить {address}?",
  "deputies.remove.text":
    "Администратор сразу перестанет управлять доменом {name}, а его API-токены перестанут на нём действовать. Почтовые ящики останутся.",
  "deputies.remove.confirm": "Удалить администратора",
  "deputies.removed": "{address} больше не управляет доменом.",
  "deputies.rights.title": "Что могут администраторы",
  "deputies.rights.mailboxes":
    "Создавать, изменять, блокировать и удалять почтовые ящики и псевдонимы домена.",
  "deputies.rights.dns": "Изменять DNS-записи, если вы разрешили и DNS домена обслуживается здесь.",
  "deputies.rights.never":
    "Никогда: отключать или передавать домен, управлять администраторами, видеть ваши API-токены.",
  "deputies.rights.removal":
    "Их собственные API-токены никогда не получают больше прав, чем у них самих, и перестают действовать, когда вы удаляете администратора.",
  "deputies.ownerOnly": "Администраторами домена управляет только его владелец.",
  "deputies.notConfirmed": "Администраторов можно добавить после подтверждения владения доменом.",

  "audit.action.deputy.add": "Администратор добавлен",
  "audit.action.deputy.update": "Изменены права администратора на DNS",
  "audit.action.deputy.remove": "Администратор удалён",

  "error.ACCOUNT_NOT_FOUND":
    "Учётной записи сервиса с таким логином нет. Проверьте написание или попросите сначала зарегистрироваться.",
  "error.DEPUTY_EXISTS": "Эта учётная запись уже администратор домена.",
  "error.DEPUTY_IS_OWNER": "Это вы: владелец и так управляет доменом.",
} as const satisfies Translation<typeof en>;
