#!/usr/bin/env node
// Figures on the shape of src/ for issue 9's before/after note (docs/ARCHITECTURE.md has the floor
// rule): imports that run from a lower floor to a higher one, folder-level cycles, imports between
// capabilities that bypass the other's index.ts, and the largest files.
//   node scripts/import-report.mjs            # the working tree
//   node scripts/import-report.mjs --json     # the same figures as JSON
// Tests (*.test.ts) are left out: they may reach anything they exercise.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

// Floors, lowest first. A top-level file of src/ is a unit of its own (named with its extension).
const FLOORS = [
  ["lib"],
  ["config.ts", "db"],
  ["deps.ts", "module.ts", "lifecycle.ts", "access", "audit", "notify", "jobs", "credentials", "dns", "http"],
  ["accounts", "recovery", "domains", "deputies", "tokens", "mailboxes", "delivery", "operations"],
  ["services.ts", "modules.ts", "app.ts", "cli", "main.ts"],
];
const CAPABILITIES = new Set(FLOORS[3]);
const floorOf = (unit) => {
  const index = FLOORS.findIndex((floor) => floor.includes(unit));
  if (index !== -1) return index;
  // A folder not listed is a new capability; a top-level file not listed counts as the top.
  return unit.endsWith(".ts") ? FLOORS.length : 3;
};

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
const isSource = (path) =>
  /\.(ts|tsx|mts)$/.test(path) && !/\.test\.tsx?$/.test(path) && !path.endsWith(".d.ts");

const unitOf = (path) => relative(src, path).split("/")[0];
const lines = (path) => readFileSync(path, "utf8").split("\n").length;

const files = walk(src).filter(isSource);
const IMPORT =
  /(?:import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s+)?["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

const edges = []; // { from, to, fromUnit, toUnit, typeOnly }
for (const file of files) {
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[2] ?? match[3];
    const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
    if (!target.startsWith(src)) continue;
    edges.push({
      from: relative(src, file),
      to: relative(src, target),
      fromUnit: unitOf(file),
      toUnit: unitOf(target),
      typeOnly: Boolean(match[1]),
    });
  }
}

const crossUnit = edges.filter((edge) => edge.fromUnit !== edge.toUnit);
const upward = crossUnit.filter((edge) => floorOf(edge.toUnit) > floorOf(edge.fromUnit));
const bypassingIndex = crossUnit.filter(
  (edge) =>
    CAPABILITIES.has(edge.toUnit) && CAPABILITIES.has(edge.fromUnit) && edge.to !== `${edge.toUnit}/index.ts`,
);

// Folder-level cycles: strongly connected components (Tarjan) of the unit graph with 2+ units.
const graph = new Map();
for (const edge of crossUnit) {
  if (!graph.has(edge.fromUnit)) graph.set(edge.fromUnit, new Set());
  graph.get(edge.fromUnit).add(edge.toUnit);
}
const components = [];
{
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const visit = (unit) => {
    index.set(unit, counter);
    low.set(unit, counter);
    counter++;
    stack.push(unit);
    onStack.add(unit);
    for (const next of graph.get(unit) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(unit, Math.min(low.get(unit), low.get(next)));
      } else if (onStack.has(next)) low.set(unit, Math.min(low.get(unit), index.get(next)));
    }
    if (low.get(unit) === index.get(unit)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== unit);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const unit of graph.keys()) if (!index.has(unit)) visit(unit);
}

const largest = (paths, count) =>
  paths
    .map((path) => ({ file: relative(root, path), lines: lines(path) }))
    .sort((a, b) => b.lines - a.lines)
    .slice(0, count);
const webDir = join(root, "web", "src");
const webFiles = (() => {
  try {
    return walk(webDir).filter(isSource);
  } catch {
    return [];
  }
})();

const report = {
  sourceFiles: files.length,
  imports: edges.length,
  importsBetweenFolders: crossUnit.length,
  upward: upward.map(({ from, to, typeOnly }) => ({ from, to, typeOnly })),
  bypassingIndex: bypassingIndex.map(({ from, to, typeOnly }) => ({ from, to, typeOnly })),
  folderCycles: components,
  largestServerFiles: largest(files, 10),
  largestConsoleFiles: largest(webFiles, 5),
};

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const typeOnly = (list) => list.filter((edge) => edge.typeOnly).length;
  console.log(
    `source files in src/ (tests left out): ${report.sourceFiles}, relative imports: ${report.imports}`,
  );
  console.log(
    `\nimports from a lower floor to a higher one: ${upward.length} (type-only ${typeOnly(upward)})`,
  );
  for (const edge of upward) console.log(`  ${edge.from} → ${edge.to}${edge.typeOnly ? " (type)" : ""}`);
  console.log(
    `\nimports between capabilities not through index.ts: ${bypassingIndex.length} (type-only ${typeOnly(bypassingIndex)})`,
  );
  for (const edge of bypassingIndex)
    console.log(`  ${edge.from} → ${edge.to}${edge.typeOnly ? " (type)" : ""}`);
  console.log(`\nfolder-level cycles: ${components.length}`);
  for (const component of components) console.log(`  ${component.length} units: ${component.join(", ")}`);
  console.log("\nlargest server files:");
  for (const { file, lines: n } of report.largestServerFiles)
    console.log(`  ${String(n).padStart(5)}  ${file}`);
  console.log("largest console files:");
  for (const { file, lines: n } of report.largestConsoleFiles)
    console.log(`  ${String(n).padStart(5)}  ${file}`);
}
