import type { Deps } from "../deps.js";
import { isSealed, SEALED_PREFIX, sealSecret } from "../lib/secret-box.js";

/** Encrypts TOTP secrets stored in plain text by an older mfd; `serve` runs it at start. */
export async function sealPlaintextSecrets(deps: Deps): Promise<number> {
  const { db } = deps.database;
  const rows = await db
    .selectFrom("accounts")
    .select(["id", "totpSecret", "totpPendingSecret"])
    .where((eb) =>
      eb.or([
        eb.and([eb("totpSecret", "is not", null), eb("totpSecret", "not like", `${SEALED_PREFIX}%`)]),
        eb.and([
          eb("totpPendingSecret", "is not", null),
          eb("totpPendingSecret", "not like", `${SEALED_PREFIX}%`),
        ]),
      ]),
    )
    .execute();
  for (const row of rows) {
    const seal = (value: string | null) =>
      value === null || isSealed(value) ? value : sealSecret(deps.config, value);
    // Only the value read is replaced: a change made meanwhile (setup, disable) is left alone.
    await db
      .updateTable("accounts")
      .set({ totpSecret: seal(row.totpSecret), totpPendingSecret: seal(row.totpPendingSecret) })
      .where("id", "=", row.id)
      .where((eb) =>
        eb.and([
          row.totpSecret === null ? eb("totpSecret", "is", null) : eb("totpSecret", "=", row.totpSecret),
          row.totpPendingSecret === null
            ? eb("totpPendingSecret", "is", null)
            : eb("totpPendingSecret", "=", row.totpPendingSecret),
        ]),
      )
      .execute();
  }
  return rows.length;
}
