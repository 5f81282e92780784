import type { App } from "../http/types.js";
import type { Services } from "../services.js";

/** An account's own security events. */
export async function auditRoutes(_app: App, _services: Services): Promise<void> {}
