import type { SessionsService } from "../accounts/sessions.service.js";
import type { Deps } from "../deps.js";

/** Restore access to a service account (product.md §2, security.md 7–12). */
export class RecoveryService {
  constructor(
    readonly deps: Deps,
    readonly sessions: SessionsService,
  ) {}
}
