import type Database from 'better-sqlite3';
import type { DeadLetter, InflightMessage, JsonObject, OutboundPosition, OutboundSettlement } from './types.js';

/** Every status a dead letter can have, for the commands that take one. */
export const DEAD_LETTER_STATUSES: readonly DeadLetter['status'][] = ['open', 'replayed', 'discarded'];

interface InflightRow {
  message_id: string;
  changes: string;
  body: Buffer;
  content_type: string;
  at: string;
  replay_of: number | null;
}

interface DeadRow {
  id: number;
  flow: string;
  message_id: string;
  changes: string;
  body: Buffer;
  content_type: string;
  message_at: string;
  attempts: string;
  at: string;
  status: DeadLetter['status'];
}

function toInflight(r: InflightRow): InflightMessage {
  const m: InflightMessage = { id: r.message_id, changes: JSON.parse(r.changes) as InflightMessage['changes'], body: r.body, contentType: r.content_type, at: r.at };
  if (r.replay_of !== null) m.replayOf = r.replay_of;
  return m;
}

function toDead(r: DeadRow): DeadLetter {
  return {
    deadLetterId: r.id,
    flow: r.flow,
    id: r.message_id,
    changes: JSON.parse(r.changes) as DeadLetter['changes'],
    body: r.body,
    contentType: r.content_type,
    at: r.message_at,
    attempts: JSON.parse(r.attempts) as DeadLetter['attempts'],
    deadAt: r.at,
    status: r.status,
  };
}

/**
 * The outbox of outbound flows: positions in the change feed, batch messages in flight and dead
 * letters. Every write is one immediate transaction, so a crash leaves either the state before
 * or after a settlement, never half of one.
 */
export class Outbox {
  private readonly stmt;
  private readonly settleTx: Database.Transaction<(flow: string, s: OutboundSettlement) => void>;
  private readonly replayTx: Database.Transaction<(ids: number[]) => DeadLetter[]>;
  private readonly discardTx: Database.Transaction<(ids: number[]) => DeadLetter[]>;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      position: db.prepare<[string], { seq: number; disabled: string | null }>('SELECT seq, disabled FROM outbound_positions WHERE flow = ?'),
      done: db.prepare<[string], number>('SELECT seq FROM outbound_done WHERE flow = ? ORDER BY seq').pluck(),
      inflight: db.prepare<[string], InflightRow>('SELECT * FROM outbound_inflight WHERE flow = ? ORDER BY rowid'),
      replays: db.prepare<[string], InflightRow>('SELECT * FROM outbound_inflight WHERE flow = ? AND replay_of IS NOT NULL ORDER BY rowid'),
      begin: db.prepare('INSERT OR IGNORE INTO outbound_inflight (flow, message_id, changes, body, content_type, at, replay_of) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      upsertPosition: db.prepare('INSERT INTO outbound_positions (flow, seq) VALUES (?, ?) ON CONFLICT (flow) DO UPDATE SET seq = max(seq, excluded.seq)'),
      addDone: db.prepare('INSERT OR IGNORE INTO outbound_done (flow, seq) VALUES (?, ?)'),
      dropDone: db.prepare('DELETE FROM outbound_done WHERE flow = ? AND seq <= ?'),
      dropInflight: db.prepare('DELETE FROM outbound_inflight WHERE flow = ? AND message_id = ?'),
      disable: db.prepare('INSERT INTO outbound_positions (flow, seq, disabled) VALUES (?, 0, ?) ON CONFLICT (flow) DO UPDATE SET disabled = excluded.disabled'),
      addDead: db.prepare('INSERT INTO dead_letters (flow, message_id, changes, body, content_type, message_at, attempts, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      dead: db.prepare<[number], DeadRow>('SELECT * FROM dead_letters WHERE id = ?'),
      deadList: db.prepare<[{ status: string | null; flow: string | null; after: number; limit: number }], DeadRow>(
        'SELECT * FROM dead_letters WHERE (@status IS NULL OR status = @status) AND (@flow IS NULL OR flow = @flow) AND id > @after ORDER BY id LIMIT @limit',
      ),
      setDeadStatus: db.prepare("UPDATE dead_letters SET status = ? WHERE id = ? AND status = 'open'"),
      changeData: db.prepare<[string], { seq: number; data: string | null }>(
        'SELECT v.seq, coalesce(v.data, p.data) AS data FROM versions v LEFT JOIN versions p ON p.seq = v.prev WHERE v.seq IN (SELECT value FROM json_each(?))',
      ),
    };
    this.settleTx = db.transaction((flow: string, s: OutboundSettlement) => {
      for (const seq of s.done) if (seq > s.position) this.stmt.addDone.run(flow, seq);
      this.stmt.upsertPosition.run(flow, s.position);
      this.stmt.dropDone.run(flow, s.position);
      for (const id of s.messageIds ?? []) this.stmt.dropInflight.run(flow, id);
      const at = new Date().toISOString();
      for (const { message: m, attempts } of s.deadLetters ?? []) {
        this.stmt.addDead.run(flow, m.id, JSON.stringify(m.changes), m.body, m.contentType, m.at, JSON.stringify(attempts), at);
      }
    });
    const moveDead = (ids: number[], replay: boolean): DeadLetter[] => {
      const moved: DeadLetter[] = [];
      for (const id of ids) {
        const row = this.stmt.dead.get(id);
        if (!row || row.status !== 'open') continue;
        this.stmt.setDeadStatus.run(replay ? 'replayed' : 'discarded', id);
        if (replay) this.stmt.begin.run(row.flow, row.message_id, row.changes, row.body, row.content_type, row.message_at, id);
        moved.push({ ...toDead(row), status: replay ? 'replayed' : 'discarded' });
      }
      return moved;
    };
    this.replayTx = db.transaction((ids: number[]) => moveDead(ids, true));
    this.discardTx = db.transaction((ids: number[]) => moveDead(ids, false));
  }

  position(flow: string): OutboundPosition {
    const row = this.stmt.position.get(flow);
    const p: OutboundPosition = { seq: row?.seq ?? 0, done: this.stmt.done.all(flow), inflight: this.stmt.inflight.all(flow).map(toInflight) };
    if (row?.disabled) p.disabled = row.disabled;
    return p;
  }

  begin(flow: string, m: InflightMessage): void {
    this.stmt.begin.run(flow, m.id, JSON.stringify(m.changes), m.body, m.contentType, m.at, m.replayOf ?? null);
  }

  /**
   * Commits with `synchronous = NORMAL`: a power loss may undo a settlement, which only sends its
   * message again (at-least-once, same id); a killed process loses nothing (WAL). The mode the
   * store was in is restored after.
   */
  settle(flow: string, s: OutboundSettlement): void {
    const before = this.db.pragma('synchronous', { simple: true }) as number;
    if (before !== 1) this.db.pragma('synchronous = NORMAL');
    try {
      this.settleTx.immediate(flow, s);
    } finally {
      if (before !== 1) this.db.pragma(`synchronous = ${before}`);
    }
  }

  setDisabled(flow: string, reason: string | undefined): void {
    this.stmt.disable.run(flow, reason ?? null);
  }

  replays(flow: string): InflightMessage[] {
    return this.stmt.replays.all(flow).map(toInflight);
  }

  deadLetters(options: { status?: DeadLetter['status']; flow?: string; limit?: number; after?: number }): DeadLetter[] {
    return this.stmt.deadList.all({ status: options.status ?? null, flow: options.flow ?? null, after: options.after ?? 0, limit: options.limit ?? 100 }).map(toDead);
  }

  deadLetter(id: number): DeadLetter | undefined {
    const row = this.stmt.dead.get(id);
    return row && toDead(row);
  }

  replay(ids: number[]): DeadLetter[] {
    return this.replayTx.immediate(ids);
  }

  discard(ids: number[]): DeadLetter[] {
    return this.discardTx.immediate(ids);
  }

  changeData(seqs: number[]): Map<number, JsonObject | null> {
    const out = new Map<number, JsonObject | null>();
    for (const r of this.stmt.changeData.all(JSON.stringify(seqs))) out.set(r.seq, r.data === null ? null : (JSON.parse(r.data) as JsonObject));
    return out;
  }
}
