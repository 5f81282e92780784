import { createHmac } from "node:crypto";
import { randomSecret } from "../lib/random.js";
import type { Executor } from "./database.js";

/**
 * Installation-wide secrets kept in the database, so every process of one installation agrees on
 * them. Created on first use.
 */
export async function appSecret(db: Executor, name: string): Promise<string> {
  await db
    .insertInto("appSecrets")
    .values({ name, value: randomSecret(32) })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  const row = await db
    .selectFrom("appSecrets")
    .select("value")
    .where("name", "=", name)
    .executeTakeFirstOrThrow();
  return row.value;
}

/** Keyed hash: a stolen table of short codes cannot be brute-forced without the key. */
export const keyedHash = (key: string, value: string): string =>
  createHmac("sha256", key).update(value).digest("hex");
