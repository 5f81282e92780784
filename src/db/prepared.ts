import { CamelCasePlugin, type Compilable, type CompiledQuery, type Kysely, type QueryResult } from "kysely";
import type { DB } from "./schema.js";

/**
 * Queries built once and reused (issue 13). Kysely builds a query as a tree of nodes, runs the
 * CamelCasePlugin over it, compiles it to SQL and maps every result row's keys back: on the hot
 * paths (a session's or a token's check, the domain check, the mailbox list) that cost more than
 * the database's own work. A prepared query is written with Kysely as usual, its parameters coming
 * from a named `params` object; it is compiled on first use (once per dialect, and once per
 * length of any array parameter) and afterwards only its parameter values change:
 *
 *   const sessionByHash = preparedQuery((db, p: { tokenHash: string }) =>
 *     db.selectFrom("sessions").select(["id", "accountId"]).where("tokenHash", "=", p.tokenHash));
 *   const row = await sessionByHash.first(db, { tokenHash });
 *
 * The builder sees placeholders, not values: it must pass each parameter to Kysely as a value
 * (`where(…, "=", p.x)`, `limit(p.n)`, `in` with an array) and must not branch on it or build
 * text from it — a query whose shape depends on a value is two prepared queries. Building from a
 * placeholder's text is caught at compile time.
 *
 * SQLite reuses the prepared statement of the same text (the driver's cache, database.ts); on
 * PostgreSQL the text is sent as a named prepared statement (`preparedStatementName`), parsed and
 * planned once per connection. Rows come back with camelCase keys as from Kysely; values nested
 * inside a column (a JSON object) keep their keys, which no prepared query reads. Select the
 * columns by name rather than `selectAll()`: a named PostgreSQL statement keeps its row shape, and
 * a listing has no business reading a password hash.
 */

/** A parameter's value: what the tables hold (text, integers, null), or a list of them for `in`. */
type Scalar = string | number | null;
export type ParamValue = Scalar | readonly Scalar[];
export type Params = Record<string, ParamValue>;

/** The database or a transaction (a Transaction is a Kysely), as Kysely's own queries take. */
type Runner = Kysely<DB>;

export interface PreparedQuery<P extends Params, Row> {
  /** Every row. */
  all(db: Runner, params: P): Promise<Row[]>;
  /** The first row, or undefined (`executeTakeFirst`). */
  first(db: Runner, params: P): Promise<Row | undefined>;
  /** Runs a change; how many rows it touched. */
  run(db: Runner, params: P): Promise<number>;
}

/** How a compiled query's parameter is filled: a constant of the builder, or a named parameter (and its index in a list). */
type Slot = { constant: unknown } | { name: string; index: number | null };

interface Template {
  compiled: CompiledQuery;
  slots: Slot[];
}

const MARK = "\u0000mfd-param:";
const placeholder = (name: string, index: number | null) =>
  `${MARK}${name}${index === null ? "" : `:${index}`}\u0000`;

/**
 * Runs a compiled statement outside any transaction straight on the database's driver, past
 * Kysely's connection provider (database.ts registers one per opened database), and answers its
 * rows with camelCase keys already (`rowReader`). Transactions, and Kysely instances derived from
 * the database, take Kysely's way to the connection (which on SQLite still reads the rows by
 * `rowReader`: `executePrepared`).
 */
export type DirectRunner = (
  sql: string,
  parameters: readonly unknown[],
  /** Only the first row is wanted: SQLite stops there. */
  firstOnly: boolean,
) => QueryResult<Record<string, unknown>> | Promise<QueryResult<Record<string, unknown>>>;
const directRunners = new WeakMap<object, DirectRunner>();
export const registerDirectRunner = (db: Kysely<DB>, run: DirectRunner): void => {
  directRunners.set(db, run);
};

/** A connection that runs a prepared query's statement itself, its rows already camelCase objects. */
interface PreparedConnection {
  executePrepared(
    sql: string,
    parameters: readonly unknown[],
    firstOnly: boolean,
  ): Promise<QueryResult<Record<string, unknown>>>;
}
const isPreparedConnection = (connection: object): connection is PreparedConnection =>
  typeof (connection as Partial<PreparedConnection>).executePrepared === "function";

/** SQL texts of prepared queries and their statement names on PostgreSQL (database.ts sends them so). */
const statementNames = new Map<string, string>();

/** The name a prepared query's text is prepared under on a PostgreSQL connection; undefined for other texts. */
export const preparedStatementName = (sql: string): string | undefined => statementNames.get(sql);

/** The CamelCasePlugin's own conversion (database.ts installs the plugin), remembered per column name. */
class ColumnNames extends CamelCasePlugin {
  readonly #names = new Map<string, string>();
  of(key: string): string {
    let name = this.#names.get(key);
    if (name === undefined) {
      name = this.camelCase(key);
      this.#names.set(key, name);
    }
    return name;
  }
}
const columnNames = new ColumnNames();

function camelRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in row) out[columnNames.of(key)] = row[key];
  return out;
}

/** Makes one row object out of a statement's values, in the order of its `columns` (how many). */
export interface RowReader {
  readonly columns: number;
  readonly read: (values: readonly unknown[]) => Record<string, unknown>;
}
const rowReaders = new Map<string, RowReader>();

/**
 * The row maker of a statement whose result columns are `columns`, for drivers asked for each row
 * as an array of values (database.ts): an object literal with the camelCase keys, written once per
 * list of columns. Objects the drivers made key by key, then copied key by key into camelCase,
 * each took its own chain of hidden classes and a megamorphic store per value — with the 51 rows
 * of a mailbox page, the largest part of what a list cost beyond its SQL (issue 13). Of two columns
 * of the same name the last wins, as in the drivers' own objects.
 */
export function rowReader(columns: readonly string[]): RowReader {
  const key = columns.join("\u0000");
  let reader = rowReaders.get(key);
  if (reader === undefined) {
    const fields = columns.map((column, i) => {
      const name = columnNames.of(column);
      // In a literal, "__proto__" would set the prototype rather than make a field.
      if (name === "__proto__") throw new Error("prepared query: a column may not be named __proto__");
      return `${JSON.stringify(name)}: values[${i}]`;
    });
    const read = new Function("values", `return { ${fields.join(", ")} };`) as RowReader["read"];
    reader = { columns: columns.length, read };
    rowReaders.set(key, reader);
  }
  return reader;
}

/** A key telling apart the compiled forms one builder needs: one per length of each array parameter. */
function shapeOf(params: Params): string {
  let shape = "";
  for (const name in params) {
    const value = params[name];
    if (Array.isArray(value)) shape += `${name}:${value.length};`;
  }
  return shape;
}

function compile<P extends Params>(
  db: Runner,
  build: (db: Kysely<DB>, params: P) => Compilable<unknown>,
  params: P,
): Template {
  const placeholders: Params = {};
  const slotOf = new Map<string, Slot>();
  const mark = (name: string, index: number | null) => {
    const text = placeholder(name, index);
    slotOf.set(text, { name, index });
    return text;
  };
  for (const name in params) {
    const value = params[name];
    placeholders[name] = Array.isArray(value) ? value.map((_, i) => mark(name, i)) : mark(name, null);
  }
  const compiled = build(db, placeholders as P).compile();
  const slots = compiled.parameters.map((value): Slot => {
    if (typeof value !== "string" || !value.includes(MARK)) return { constant: value };
    const slot = slotOf.get(value);
    if (!slot)
      throw new Error(
        `a prepared query built a value out of a parameter ("${value.replaceAll("\u0000", "")}"): pass parameters to Kysely as they are`,
      );
    return slot;
  });
  if (!statementNames.has(compiled.sql)) statementNames.set(compiled.sql, `mfd_${statementNames.size + 1}`);
  return { compiled, slots };
}

export function preparedQuery<P extends Params, Row>(
  build: (db: Kysely<DB>, params: P) => Compilable<Row>,
): PreparedQuery<P, Row> {
  // Per dialect (its adapter object, shared by a database and its transactions), per shape.
  const templates = new WeakMap<object, Map<string, Template>>();

  // Not async: SQLite's direct runner answers at once when its connection is free (database.ts).
  function execute(db: Runner, params: P, firstOnly = false): ReturnType<DirectRunner> {
    const executor = db.getExecutor();
    let byShape = templates.get(executor.adapter);
    if (!byShape) {
      byShape = new Map();
      templates.set(executor.adapter, byShape);
    }
    const shape = shapeOf(params);
    let template = byShape.get(shape);
    if (!template) {
      template = compile(db, build, params);
      byShape.set(shape, template);
    }
    const parameters = template.slots.map((slot) => {
      if ("constant" in slot) return slot.constant;
      const value = params[slot.name];
      const bound = slot.index === null ? value : (value as readonly Scalar[])[slot.index];
      if (bound === undefined) throw new Error(`prepared query: parameter ${slot.name} is missing`);
      return bound;
    });
    // Straight to the driver: the plugins' work on the query was done at compile time, and the
    // rows' keys are mapped below from a table of names.
    const direct = directRunners.get(db);
    if (direct) return direct(template.compiled.sql, parameters, firstOnly);
    const compiled: CompiledQuery = { ...template.compiled, parameters };
    return executor.provideConnection((connection) =>
      // SQLite's connection reads the rows as arrays into camelCase objects itself (database.ts).
      isPreparedConnection(connection)
        ? connection.executePrepared(compiled.sql, parameters, firstOnly)
        : connection
            .executeQuery<Record<string, unknown>>(compiled)
            .then((result) => ({ ...result, rows: result.rows.map((row) => camelRow(row)) })),
    );
  }

  return {
    async all(db, params) {
      const ran = execute(db, params);
      const { rows } = ran instanceof Promise ? await ran : ran;
      return rows as Row[];
    },
    async first(db, params) {
      const ran = execute(db, params, true);
      const { rows } = ran instanceof Promise ? await ran : ran;
      return rows[0] as Row | undefined;
    },
    async run(db, params) {
      const ran = execute(db, params);
      const { numAffectedRows } = ran instanceof Promise ? await ran : ran;
      return Number(numAffectedRows ?? 0);
    },
  };
}
