import type { Kysely, Transaction } from "kysely";
import { AppError } from "./errors.js";

/** One event: the states it may start from and the state it leads to. */
export interface TransitionRule<State extends string> {
  from: readonly State[];
  to: State;
}

export interface StateMachineDefinition<State extends string, Event extends string> {
  /** Table of the rows this machine moves, as the application names it (camelCase). */
  table: string;
  /** Column holding the state; default `state`. */
  column?: string;
  /** Column naming the row; default `id`. */
  idColumn?: string;
  states: readonly State[];
  transitions: { readonly [E in Event]: TransitionRule<State> };
}

// The executor's table types are the caller's: the machine names its table and columns by string.
// biome-ignore lint/suspicious/noExplicitAny: any schema; the definition names table and columns.
type AnyExecutor = Kysely<any> | Transaction<any>;

/**
 * A typed transition table whose transitions are conditional updates (docs/ARCHITECTURE.md, "a
 * state machine"): `UPDATE <table> SET <column> = <to>, … WHERE <id> = ? AND <column> IN (<from>)`.
 * The row changes only if it is still in a state the event may start from, so of two requests
 * racing on one row exactly one wins and the other gets STATE_CHANGED (409) — no lock, no read
 * before the write, on SQLite and PostgreSQL alike.
 */
export class StateMachine<State extends string, Event extends string> {
  readonly table: string;
  readonly column: string;
  readonly idColumn: string;
  readonly states: readonly State[];
  readonly transitions: { readonly [E in Event]: TransitionRule<State> };

  constructor(definition: StateMachineDefinition<State, Event>) {
    this.table = definition.table;
    this.column = definition.column ?? "state";
    this.idColumn = definition.idColumn ?? "id";
    this.states = definition.states;
    this.transitions = definition.transitions;
    for (const [event, rule] of Object.entries<TransitionRule<State>>(this.transitions)) {
      const unknown = [...rule.from, rule.to].filter((state) => !this.states.includes(state));
      if (unknown.length > 0 || rule.from.length === 0)
        throw new Error(`state machine ${this.table}: event "${event}" names unknown or no states`);
    }
  }

  /** Whether `event` may happen to a row in `state`. */
  can(state: State, event: Event): boolean {
    return this.transitions[event].from.includes(state);
  }

  /** The state `event` leads to from `state`, or null if it may not happen there. */
  next(state: State, event: Event): State | null {
    return this.can(state, event) ? this.transitions[event].to : null;
  }

  /** The conditional UPDATE of `event` on row `id`, also setting `set` (other columns of the change). */
  update(executor: AnyExecutor, event: Event, id: string, set: Record<string, unknown> = {}) {
    const rule = this.transitions[event];
    return executor
      .updateTable(this.table)
      .set({ ...set, [this.column]: rule.to })
      .where(this.idColumn, "=", id)
      .where(this.column, "in", rule.from);
  }

  /**
   * Applies `event` to row `id` (inside the caller's transaction when given one) and returns the
   * new state; throws STATE_CHANGED when the row is gone or no longer in a state `event` starts from.
   */
  async apply(
    executor: AnyExecutor,
    event: Event,
    id: string,
    set: Record<string, unknown> = {},
  ): Promise<State> {
    const result = await this.update(executor, event, id, set).executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new AppError("STATE_CHANGED");
    return this.transitions[event].to;
  }
}

/** Declares a state machine; `const` keeps the states and events as literal types. */
export const defineStateMachine = <const State extends string, const Event extends string>(
  definition: StateMachineDefinition<State, Event>,
): StateMachine<State, Event> => new StateMachine(definition);
