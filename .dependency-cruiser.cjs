// The floor rule of docs/ARCHITECTURE.md, checked by `npm run lint:deps` (part of `npm run lint`).
// Platform folders serve every capability and so may import none; a capability reaches another
// only through that one's index.ts (its public face); nothing imports in a circle.

/** Platform folders: below every capability. */
const PLATFORM = "(lib|db|http|access|audit|notify|jobs|credentials|dns)";
/** A capability is any other folder of src/ (cli/ is wiring, like main.ts); new ones are covered unnamed. */
const CAPABILITY = `(?!${PLATFORM}/|cli/)[^/]+`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "Modules import in a circle: a change to one ripples round to itself; lift the shared part down a floor.",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-folder-cycle",
      severity: "error",
      comment: "Folders import each other in a circle, so the floors are no longer one above the other.",
      scope: "folder",
      from: {},
      to: { circular: true },
    },
    {
      name: "platform-imports-no-capability",
      severity: "error",
      comment:
        "A platform folder serves every capability, so it must not depend on one; pass what it needs in (deps, a hook) instead.",
      from: { path: `^src/${PLATFORM}/` },
      to: { path: `^src/${CAPABILITY}/` },
    },
    {
      name: "platform-imports-no-wiring",
      severity: "error",
      comment:
        "A platform folder must not reach up to the wiring (app, modules, services, CLI) that assembles it.",
      from: { path: `^src/${PLATFORM}/` },
      to: { path: "^src/((app|main|services|modules)\\.ts$|cli/)" },
    },
    {
      name: "capability-through-index",
      severity: "error",
      comment: "A capability uses another only through its index.ts (public face), never its inner files.",
      from: { path: `^src/(${CAPABILITY})/` },
      to: { path: `^src/${CAPABILITY}/`, pathNot: ["^src/$1/", `^src/${CAPABILITY}/index\\.ts$`] },
    },
  ],
  options: {
    // Tests may reach into whatever they exercise; the rules are about the product code.
    exclude: { path: "\\.test\\.ts$" },
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    // Type-only imports count too: they tie folders together just the same.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
