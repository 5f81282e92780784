import { en } from "./en.js";
import { ru } from "./ru.js";

/** Every language of the console by its code (no DOM here: test/catalog.test.ts imports it). */
export const catalogs = { en, ru } as const;
