import fp from 'fastify-plugin';
import { recordRejects, type Reject } from './reject-counter.ts';
import type {} from '../plugins/db.plugin.ts';

export interface RejectCounter {
  /** Counts one reject; cheap and synchronous (a flood of rejects never waits on the database). */
  count(reason: string, deviceId?: number | null): void;
  /** Writes the counts gathered so far to rollup_reject_hour. */
  flush(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    rejectCounter: RejectCounter;
  }
}

/** Feeds the fleet dashboard's "rejects by reason": counts in memory, writes once per interval and on close. */
export const rejectCounterPlugin = fp<{ flushIntervalMs?: number }>(
  async (app, opts) => {
    // Counts per hour, device and reason: memory stays bounded under a flood of rejects.
    let pending = new Map<string, Reject>();
    const flush = async () => {
      if (pending.size === 0) return;
      const batch = [...pending.values()];
      pending = new Map();
      try {
        await recordRejects(app.db, batch);
      } catch (err) {
        app.log.warn({ err, rows: batch.length }, 'reject counts not stored');
      }
    };
    const timer = setInterval(() => void flush(), opts.flushIntervalMs ?? 60_000);
    timer.unref();
    app.decorate('rejectCounter', {
      count(reason: string, deviceId: number | null = null) {
        const at = new Date();
        const key = `${Math.floor(at.getTime() / 3_600_000)}|${deviceId ?? 0}|${reason}`;
        const r = pending.get(key);
        if (r) r.count = (r.count ?? 1) + 1;
        else pending.set(key, { at, deviceId, reason, count: 1 });
      },
      flush,
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await flush();
    });
  },
  { name: 'sem-reject-counter', dependencies: ['sem-db'] },
);
