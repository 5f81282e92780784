/** A domain's additional administrators (deputies). */
export const deputies = {
  "deputies.add.title": "Add an administrator",
  "deputies.add.text":
    "Another service account that will manage this domain's mailboxes with you. They sign in with their own account and password.",
  "deputies.field.login": "Their login",
  "deputies.field.login.hint": "A service account's login, or its full address such as {example}.",
  "deputies.field.dns": "May also edit the domain's DNS records",
  "deputies.field.dns.hint": "Only while the domain's DNS is hosted here. You can change this later.",
  "deputies.add.submit": "Add the administrator",
  "deputies.added": "{address} is now an administrator of the domain.",
  "deputies.list.title": "Administrators",
  "deputies.none": "Nobody but you manages this domain.",
  "deputies.column.account": "Account",
  "deputies.column.dns": "DNS records",
  "deputies.column.added": "Added",
  "deputies.dns.yes": "May edit",
  "deputies.dns.no": "No",
  "deputies.dns.notDelegated": "Takes effect once the domain's DNS is hosted here.",
  "deputies.grantDns": "Allow DNS",
  "deputies.grantDnsOne": "Allow {address} to edit DNS records",
  "deputies.revokeDns": "Revoke DNS",
  "deputies.revokeDnsOne": "Stop {address} editing DNS records",
  "deputies.dnsGranted": "{address} may now edit the domain's DNS records.",
  "deputies.dnsRevoked": "{address} may no longer edit the domain's DNS records.",
  "deputies.remove": "Remove",
  "deputies.removeOne": "Remove {address}",
  "deputies.remove.title": "Remove {address}?",
  "deputies.remove.text":
    "They stop managing {name} at once, and their API tokens stop working on it. The mailboxes stay.",
  "deputies.remove.confirm": "Remove the administrator",
  "deputies.removed": "{address} no longer manages the domain.",
  "deputies.rights.title": "What administrators may do",
  "deputies.rights.mailboxes": "Create, edit, block and delete the domain's mailboxes and aliases.",
  "deputies.rights.dns": "Edit DNS records, where you allow it and the domain's DNS is hosted here.",
  "deputies.rights.never":
    "Never: disconnect or transfer the domain, manage administrators, or see your API tokens.",
  "deputies.rights.removal":
    "Their own API tokens never have more rights than they do, and stop when you remove them.",
  "deputies.ownerOnly": "Only the domain's owner manages its administrators.",
  "deputies.notConfirmed": "Administrators can be added once the domain's ownership is confirmed.",

  "audit.action.deputy.add": "Administrator added",
  "audit.action.deputy.update": "Administrator's DNS rights changed",
  "audit.action.deputy.remove": "Administrator removed",

  "error.ACCOUNT_NOT_FOUND":
    "There is no service account with this login. Check the spelling, or ask them to register first.",
  "error.DEPUTY_EXISTS": "This account is already an administrator of the domain.",
  "error.DEPUTY_IS_OWNER": "That is you: the owner already manages the domain.",
} as const;
