// The console's building blocks, one file per kind; pages import them all from here.
export * from "./action";
export * from "./copy";
export * from "./dialog";
export * from "./form";
export * from "./page";
export * from "./table";
