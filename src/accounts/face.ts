import type { AccountsService } from "./accounts.service.js";
import type { SessionsService } from "./sessions.service.js";
import type { SettingsService } from "./settings.service.js";

/** The accounts capability's public face: registration and sign-in, sessions, settings. */
export interface AccountsFace {
  accounts: AccountsService;
  sessions: SessionsService;
  settings: SettingsService;
}
