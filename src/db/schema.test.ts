import { sql } from "kysely";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDialect } from "../../test/helpers/database.js";
import type { Database } from "./database.js";

// The table types in schema.ts are written by hand; this compares them with the database the
// migrations really build, on each dialect: same tables, same columns, same nullability, a
// default (or null) wherever a column is Generated<…>, and numbers and strings where the column holds them.

interface DeclaredColumn {
  kind: "number" | "string";
  nullable: boolean;
  generated: boolean;
}
interface ActualColumn {
  kind: "number" | "string" | "other";
  nullable: boolean;
  hasDefault: boolean;
}

const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Tables the migrator keeps for itself; the application never names them. */
const MIGRATOR_TABLES = ["mfd_migrations", "mfd_migrations_lock"];

/** schema.ts's DB interface read with the TypeScript compiler: table → column → declared shape. */
function declaredTables(): Map<string, Map<string, DeclaredColumn>> {
  const file = new URL("./schema.ts", import.meta.url).pathname;
  const program = ts.createProgram([file], { strict: true, module: ts.ModuleKind.NodeNext });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error("schema.ts not found");
  const db = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === "DB",
  );
  if (!db) throw new Error("schema.ts has no DB interface");
  const tables = new Map<string, Map<string, DeclaredColumn>>();
  for (const table of checker.getPropertiesOfType(checker.getTypeAtLocation(db))) {
    const columns = new Map<string, DeclaredColumn>();
    const rowType = checker.getTypeOfSymbolAtLocation(table, db);
    for (const column of checker.getPropertiesOfType(rowType)) {
      const declaration = column.declarations?.[0];
      if (!declaration || !ts.isPropertySignature(declaration) || !declaration.type)
        throw new Error(`${table.name}.${column.name}: no declared type`);
      let node: ts.TypeNode = declaration.type;
      const generated =
        ts.isTypeReferenceNode(node) && node.typeName.getText() === "Generated" && node.typeArguments?.[0];
      if (generated) node = generated;
      const type = checker.getTypeFromTypeNode(node);
      const members = type.isUnion() ? type.types : [type];
      const nullable = members.some((member) => member.flags & ts.TypeFlags.Null);
      const rest = members.filter((member) => !(member.flags & ts.TypeFlags.Null));
      const kind = rest.every((member) => member.flags & ts.TypeFlags.NumberLike)
        ? "number"
        : rest.every((member) => member.flags & ts.TypeFlags.StringLike)
          ? "string"
          : null;
      if (!kind) throw new Error(`${table.name}.${column.name}: neither a number nor a string`);
      columns.set(snake(column.name), { kind, nullable, generated: Boolean(generated) });
    }
    tables.set(snake(table.name), columns);
  }
  return tables;
}

const kindOf = (sqlType: string): ActualColumn["kind"] =>
  /int|real|double|numeric|float/i.test(sqlType)
    ? "number"
    : /char|text|clob/i.test(sqlType)
      ? "string"
      : "other";

async function actualTables(database: Database): Promise<Map<string, Map<string, ActualColumn>>> {
  const tables = new Map<string, Map<string, ActualColumn>>();
  if (database.dialect === "postgres") {
    const { rows } = await sql<{
      tableName: string;
      columnName: string;
      dataType: string;
      isNullable: string;
      columnDefault: string | null;
    }>`select table_name, column_name, data_type, is_nullable, column_default
         from information_schema.columns where table_schema = current_schema()`.execute(database.db);
    for (const row of rows) {
      if (!tables.has(row.tableName)) tables.set(row.tableName, new Map());
      tables.get(row.tableName)?.set(row.columnName, {
        kind: kindOf(row.dataType),
        nullable: row.isNullable === "YES",
        hasDefault: row.columnDefault !== null,
      });
    }
  } else {
    const { rows: names } = await sql<{ name: string }>`select name from sqlite_master
        where type = 'table' and name not like 'sqlite_%'`.execute(database.db);
    for (const { name } of names) {
      const { rows } = await sql<{
        name: string;
        type: string;
        notnull: number;
        dfltValue: string | null;
        pk: number;
      }>`
        select name, type, "notnull", dflt_value, pk from pragma_table_info(${name})`.execute(database.db);
      tables.set(
        name,
        new Map(
          rows.map((row) => [
            row.name,
            // SQLite lets a primary key other than INTEGER hold NULL unless declared NOT NULL;
            // mfd always supplies its keys, so a key counts as not nullable.
            {
              kind: kindOf(row.type),
              nullable: row.notnull === 0 && row.pk === 0,
              hasDefault: row.dfltValue !== null,
            },
          ]),
        ),
      );
    }
  }
  for (const name of MIGRATOR_TABLES) tables.delete(name);
  return tables;
}

describe(`table types in schema.ts against the migrated database (${testDialect})`, () => {
  let database: Database;
  let declared: Map<string, Map<string, DeclaredColumn>>;
  let actual: Map<string, Map<string, ActualColumn>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    declared = declaredTables();
    actual = await actualTables(database);
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("names the same tables", () => {
    expect([...declared.keys()].sort()).toEqual([...actual.keys()].sort());
  });

  it("gives each table the same columns", () => {
    for (const [table, columns] of declared)
      expect([...columns.keys()].sort(), table).toEqual([...(actual.get(table)?.keys() ?? [])].sort());
  });

  it("lets a column hold null exactly where the database does", () => {
    const mismatched: string[] = [];
    for (const [table, columns] of declared)
      for (const [name, column] of columns) {
        const real = actual.get(table)?.get(name);
        if (real && real.nullable !== column.nullable)
          mismatched.push(`${table}.${name}: ${column.nullable ? "" : "not "}null in schema.ts`);
      }
    expect(mismatched).toEqual([]);
  });

  it("marks a column Generated<…> only where the database fills it in (a default, or null)", () => {
    const mismatched: string[] = [];
    for (const [table, columns] of declared)
      for (const [name, column] of columns) {
        const real = actual.get(table)?.get(name);
        if (column.generated && !real?.hasDefault && !real?.nullable) mismatched.push(`${table}.${name}`);
      }
    expect(mismatched).toEqual([]);
  });

  it("types a column as a number or a string as the database stores it", () => {
    const mismatched: string[] = [];
    for (const [table, columns] of declared)
      for (const [name, column] of columns) {
        const real = actual.get(table)?.get(name);
        if (real && real.kind !== column.kind)
          mismatched.push(`${table}.${name}: ${column.kind} vs ${real.kind}`);
      }
    expect(mismatched).toEqual([]);
  });
});
