import type { Deps } from "../deps.js";

/** Connecting domains, ownership claims and their verification, My domains, disconnect (product.md §3). */
export class DomainsService {
  constructor(readonly deps: Deps) {}
}
