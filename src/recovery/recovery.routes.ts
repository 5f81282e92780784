import type { App } from "../http/types.js";
import type { Services } from "../services.js";

/** Restore access to a service account (product.md §2). */
export async function recoveryRoutes(_app: App, _services: Services): Promise<void> {}
