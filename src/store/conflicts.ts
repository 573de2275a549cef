import { ConfigError, type ConfigProblem } from '../core/errors.js';
import type { ConflictPolicy, JsonObject } from './types.js';

/**
 * Conflict policies between sources writing the same entity, one per entity type. A *source* is
 * named by its flow (`crm-customers`), by its API origin (`api:crm`), or `api:*` for every API
 * client. The stored side is the entity's current version, a tombstone included.
 *
 * - No policy (default): every write applies, in arrival order. Source timestamps are recorded
 *   but not compared.
 * - `last-write-wins`: a write's time is its `sourceTimestamp` (ISO 8601, read by `Date.parse`:
 *   a time without zone is local time) or, when absent, its arrival (the store's clock). A write
 *   older than the stored version's time is skipped; an equal or newer one applies. Deletes too.
 * - `source-priority`: `priority` lists sources, highest first; sources not listed rank below
 *   every listed one and equal among themselves. A write is skipped when the current version was
 *   written by a source of strictly higher rank; an equal rank overwrites (arrival order).
 *   Deletes too: a tombstone written by a higher-ranked source is not revived by a lower one.
 * - `field-ownership`: `owners` maps top-level fields to the one source that owns each. When a
 *   source writes, fields it owns and fields nobody owns take the written value (a field absent
 *   from the write is removed); fields owned by another source keep their stored value whatever
 *   the write says, and a field the entity does not have yet stays absent until its owner writes
 *   it. The merged result is then compared with the stored content: identical is `unchanged`. The
 *   new version's lineage names the writer, though it carries fields its owners wrote before.
 *   Existence is not a field: any source may delete the entity, and a write after the delete
 *   revives it with only what that writer may set.
 *
 * Skipped writes are counted `skipped` and write no version and no change event. Full-sync
 * deletions touch only entities the flow itself wrote last, so no policy applies to them; their
 * tombstone keeps the time of the version it deletes (an absence has no time of its own), so that
 * last-write-wins lets a later record of the entity bring it back (see FullSync).
 */
export interface ConflictRule {
  /** True when the write must be skipped, given the stored writer and time. */
  skips(storedFlow: string | null, storedOrigin: string, storedMs: number, writeMs: number, flow: string | undefined, origin: string): boolean;
  /** Field ownership only: the data to store, given the write's data and the stored data. */
  merge?(data: JsonObject, stored: JsonObject | undefined, flow: string | undefined, origin: string): JsonObject;
}

/** Whether the source named `name` is the writer (flow, origin) described. */
export function isSource(name: string, flow: string | null | undefined, origin: string): boolean {
  return name === flow || name === origin || (name === 'api:*' && origin.startsWith('api:'));
}

class LastWriteWins implements ConflictRule {
  skips(_f: string | null, _o: string, storedMs: number, writeMs: number): boolean {
    return writeMs < storedMs;
  }
}

class SourcePriority implements ConflictRule {
  constructor(private readonly priority: readonly string[]) {}
  private rank(flow: string | null | undefined, origin: string): number {
    for (let i = 0; i < this.priority.length; i++) if (isSource(this.priority[i], flow, origin)) return i;
    return this.priority.length;
  }
  skips(storedFlow: string | null, storedOrigin: string, _s: number, _w: number, flow: string | undefined, origin: string): boolean {
    return this.rank(storedFlow, storedOrigin) < this.rank(flow, origin);
  }
}

class FieldOwnership implements ConflictRule {
  private readonly fields: string[];
  private readonly owners: string[];
  constructor(owners: Record<string, string>) {
    this.fields = Object.keys(owners);
    this.owners = this.fields.map((f) => owners[f]);
  }
  skips(): boolean {
    return false;
  }
  merge(data: JsonObject, stored: JsonObject | undefined, flow: string | undefined, origin: string): JsonObject {
    let merged: JsonObject | undefined;
    for (let i = 0; i < this.fields.length; i++) {
      if (isSource(this.owners[i], flow, origin)) continue;
      const field = this.fields[i];
      const has = stored !== undefined && Object.hasOwn(stored, field);
      if (!has && !Object.hasOwn(data, field)) continue;
      merged ??= { ...data };
      if (has) merged[field] = stored[field];
      else delete merged[field];
    }
    return merged ?? data;
  }
}

/**
 * Compiles the configured policies, once, into a rule per entity type. Throws a ConfigError
 * listing every problem (a type given twice, a policy without its `priority` or `owners`).
 */
export function compileConflicts(policies: readonly ConflictPolicy[], file = 'store options'): Map<string, ConflictRule> {
  const rules = new Map<string, ConflictRule>();
  const problems: ConfigProblem[] = [];
  policies.forEach((p, i) => {
    const problem = (message: string) => problems.push({ file, path: `conflicts[${i}]`, message });
    if (rules.has(p.type)) return problem(`entity type ${p.type} has more than one conflict policy`);
    if (p.policy === 'last-write-wins') rules.set(p.type, new LastWriteWins());
    else if (p.policy === 'source-priority') {
      if (!p.priority?.length) return problem(`source-priority for ${p.type} needs a non-empty priority list`);
      rules.set(p.type, new SourcePriority([...p.priority]));
    } else if (p.policy === 'field-ownership') {
      if (!p.owners || Object.keys(p.owners).length === 0) return problem(`field-ownership for ${p.type} needs owners (field: source)`);
      rules.set(p.type, new FieldOwnership(p.owners));
    } else problem(`unknown conflict policy ${JSON.stringify((p as { policy: unknown }).policy)} for ${p.type}`);
  });
  if (problems.length) throw new ConfigError(problems);
  return rules;
}
