import type { App } from "../http/types.js";
import type { Services } from "../services.js";

/** Development mode only: read what mfd would have sent. */
export async function devOutboxRoutes(_app: App, _services: Services): Promise<void> {}
