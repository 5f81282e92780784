/**
 * The shape of one part of a translated catalog: every key of the English part, each a string,
 * plus the plural forms English does not need (`.few`, `.many`) for keys English has as `.one` /
 * `.other`. `satisfies Translation<typeof en>` makes TypeScript refuse a missing or unknown key;
 * test/catalog.test.ts also checks the placeholders and plural forms.
 */
export type Translation<Part> = { readonly [Key in keyof Part]: string } & {
  readonly [plural: `${string}.few` | `${string}.many`]: string;
};
