/**
 * Operator alerts, `alerts`: one row per alert (severity, kind, the day it is about, message), open
 * until acknowledged. Raised by the engine (validation gates, baseline fall-back, halts) and read by
 * status and the console. Store.addAlert / openAlerts / ackAlert (store.ts) wrap these in its
 * write transaction.
 */
import type { AlertInfo } from '../contracts/events.js';
import { nowIso, stmt, type Db } from './db.js';

/** An alert to raise: severity, kind (e.g. `baseline_only`, `gate_audit`), the day it is about (or null), one-line message. */
export interface NewAlert {
  severity: AlertInfo['severity'];
  kind: string;
  date: string | null;
  message: string;
}

/** Inserts an alert stamped now and returns it (unacknowledged). Call inside a write transaction. */
export function insertAlert(db: Db, a: NewAlert): AlertInfo {
  const at = nowIso();
  const info = stmt(
    db,
    'INSERT INTO alerts (at, severity, kind, date, message) VALUES (?, ?, ?, ?, ?)',
  ).run(at, a.severity, a.kind, a.date, a.message);
  return {
    id: Number(info.lastInsertRowid),
    at,
    severity: a.severity,
    kind: a.kind,
    date: a.date,
    message: a.message,
    acknowledged: false,
  };
}

/** Unacknowledged alerts, newest first (at most `limit`). */
export function openAlerts(db: Db, limit: number): AlertInfo[] {
  return (
    stmt(
      db,
      'SELECT id, at, severity, kind, date, message, acknowledged_at FROM alerts WHERE acknowledged_at IS NULL ORDER BY id DESC LIMIT ?',
    ).all(limit) as {
      id: number;
      at: string;
      severity: AlertInfo['severity'];
      kind: string;
      date: string | null;
      message: string;
      acknowledged_at: string | null;
    }[]
  ).map((r) => ({
    id: r.id,
    at: r.at,
    severity: r.severity,
    kind: r.kind,
    date: r.date,
    message: r.message,
    acknowledged: r.acknowledged_at !== null,
  }));
}

/** Marks alert `id` acknowledged now (an alert already acknowledged keeps its time). Call inside a write transaction. */
export function ackAlert(db: Db, id: number): void {
  stmt(db, 'UPDATE alerts SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL').run(
    nowIso(),
    id,
  );
}
