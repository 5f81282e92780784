import { defineModule } from "../module.js";
import { tokensRoutes } from "./tokens.routes.js";
import { removeDomainFromTokens, revokeAllTokens, TokensService } from "./tokens.service.js";

export type { TokensService } from "./tokens.service.js";
export { tokenSecretsIn } from "./tokens.service.js";

export const tokensModule = defineModule({
  name: "tokens",
  uses: [],
  create: (deps) => new TokensService(deps),
  routes: (app, tokens) => tokensRoutes(app, tokens),
  hooks: () => ({
    // A later owner of the name must find no token reaching it; tokens limited to it alone go.
    "domain.released": async (tx, _ctx, { domainId }) => ({
      tokens: await removeDomainFromTokens(tx, domainId),
    }),
    // A moved domain's old owner loses it at once; tokens limited to it alone go.
    "domain.moved": async (tx, _ctx, { domainId, fromAccountId }) => ({
      tokens: await removeDomainFromTokens(tx, domainId, fromAccountId),
    }),
    // Being made a deputy again later revives none of the old tokens.
    "deputy.removed": async (tx, _ctx, { domainId, accountId }) => ({
      tokens: await removeDomainFromTokens(tx, domainId, accountId),
    }),
    // Whoever had taken the account over may have issued tokens.
    "account.recovered": async (tx, ctx, { accountId }) => ({
      tokensRevoked: await revokeAllTokens(tx, accountId, ctx.now),
    }),
  }),
});
