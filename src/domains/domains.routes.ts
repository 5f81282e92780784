import type { App } from "../http/types.js";
import type { Services } from "../services.js";

/** Domains of the signed-in account (product.md §3). */
export async function domainsRoutes(_app: App, _services: Services): Promise<void> {}
