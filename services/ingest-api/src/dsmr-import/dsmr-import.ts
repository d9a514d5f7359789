/**
 * Imports a dump of dsmr-reader's readings table into a device through the write engine: the same
 * validation, duplicate rule and rollups as live readings, so importing twice changes nothing. Before each
 * batch, statistics an earlier import filled into its local days are taken back (readings win). Progress
 * is kept in a state file (data lines done) after each committed batch, so a stopped import resumes.
 */
import { fromJson, IngestError, withdrawStatisticFills, type IngestDevice, type IngestEngine } from '@sem/ingest';
import { sql } from 'kysely';
import type { Reading } from '@sem/meter-protocol';
import { cutSpan } from '../readings/readings.repository.ts';
import { dsmrReading, REQUIRED_COLUMNS } from './dsmr-reading-row.ts';
import { importRows, linesDone, type DumpProgress } from './resumable-import.ts';
import { readDump, readHeader } from './table-dump.ts';

export interface ImportSummary extends DumpProgress {
  accepted: number;
  merged: number;
  duplicates: number;
  rejected: number;
  /**
   * Readings inside the span whose raw rows the retention job already cut (after the device's oldest kept
   * row, before the cut): the rollups hold that time, so the engine stores them but does not roll them up.
   * Readings older than that span are history the rollups never held: they are rolled up like any other.
   */
  insideCut: number;
  /** Hours and days that statistics had filled, taken back because these readings cover them (readings win). */
  statisticsTakenBack: number;
}

export interface ImportOptions {
  statePath: string;
  batchSize?: number;
  progress?: (s: ImportSummary) => void;
}

export class DumpFormatError extends Error {
  override readonly name = 'DumpFormatError';
}

export async function importDsmrReadings(engine: IngestEngine, device: IngestDevice, dumpPath: string, options: ImportOptions): Promise<ImportSummary> {
  const header = await readHeader(dumpPath);
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new DumpFormatError(`not a dump of dsmr_datalogger_dsmrreading: no column ${missing.join(', ')}`);
  const s: ImportSummary = { lines: 0, resumedAfter: linesDone(options.statePath), accepted: 0, merged: 0, duplicates: 0, rejected: 0, insideCut: 0, statisticsTakenBack: 0, unreadable: 0, examples: [] };
  const span = await cutSpan(engine.db, device.id);
  const inCut = (ms: number) => span !== null && ms < span.purgedBefore && ms > (span.keptFrom ?? -Infinity);
  const parse = (fields: Record<string, string>): Reading => {
    const reading = fromJson(dsmrReading(fields));
    if (inCut(reading.meterTime!.getTime())) s.insideCut++;
    return reading;
  };
  const write = async (batch: Reading[]) => {
    s.statisticsTakenBack += await takeBackStatistics(engine, device.id, batch);
    try {
      const r = await engine.ingest(device, batch, 'dsmr-reader', new Date());
      s.accepted += r.accepted;
      s.merged += r.merged;
      s.duplicates += r.duplicates;
      s.rejected += r.rejected;
    } catch (err) {
      // Every reading of the batch refused (e.g. all in the future): counted, the import goes on.
      if (!(err instanceof IngestError) || err.kind !== 'invalid-reading') throw err;
      s.rejected += batch.length;
    }
  };
  return importRows(readDump(dumpPath), s, parse, write, { dumpPath, ...options });
}

/**
 * Takes back statistics filled where the batch's readings will count: from the stored reading before its first
 * to the one after its last (the steps to them spread there, or book a gap at its end).
 */
async function takeBackStatistics(engine: IngestEngine, deviceId: number, batch: readonly Reading[]): Promise<number> {
  const times = batch.map((r) => r.meterTime!.getTime());
  const first = new Date(Math.min(...times));
  const last = new Date(Math.max(...times));
  const prev = await sql<{ t: Date }>`SELECT meter_time AS t FROM reading WHERE device_id = ${deviceId} AND meter_time < ${first} ORDER BY meter_time DESC LIMIT 1`.execute(engine.db);
  const next = await sql<{ t: Date }>`SELECT meter_time AS t FROM reading WHERE device_id = ${deviceId} AND meter_time > ${last} ORDER BY meter_time LIMIT 1`.execute(engine.db);
  const zone = await sql<{ time_zone: string }>`SELECT time_zone FROM device WHERE id = ${deviceId}`.execute(engine.db);
  return withdrawStatisticFills(engine.db, { id: deviceId, timeZone: zone.rows[0]!.time_zone }, prev.rows[0]?.t ?? first, next.rows[0]?.t ?? last);
}
