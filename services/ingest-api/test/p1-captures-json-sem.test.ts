/**
 * Every decodable P1 capture through the two endpoints that take values decoded on the device:
 * POST /api/v1/readings (decoded locally, as the simulator and new firmware do) and POST /post-data.php
 * (the SEM firmware's form, printed from the capture's values). Stored rows are checked against the
 * corpus' expected.json, not against our decoder.
 */
import { describe, expect, it } from 'vitest';
import { decodeTelegrams } from '@sem/meter-protocol';
import { QUANTITY_COLUMNS } from '@sem/db';
import { p1Captures } from './fixtures.ts';
import { obisText, p1ExpectedReading } from './capture-expected.ts';
import { expectReadBack, expectStored } from './stored-reading.ts';
import { jsonBody } from './json-client.ts';
import { addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp({ SEM_RATE_LIMIT_PER_MINUTE: '100000' });

/** Captures a device can decode (CRC good or absent) and whose clock is not a day ahead. */
const decodable = p1Captures().flatMap((c) => {
  try {
    const readings = decodeTelegrams(c.bytes.toString('latin1'));
    return readings.length === 1 && !(readings[0]!.meterTime && readings[0]!.meterTime.getTime() > Date.now() + 86_400_000)
      ? [{ ...c, reading: readings[0]! }]
      : [];
  } catch {
    return [];
  }
});

/** C's %.Nf on a decimal text: the firmware prints the double it parsed. */
const printf = (text: string | null, places: number) => (text === null ? (-1).toFixed(places) : Number(text).toFixed(places));
/** The firmware cuts currents to one decimal (clients.md), it does not round them. */
const cut1 = (text: string | null) => (text === null ? '-1.0' : Number(/^-?\d+(\.\d)?/.exec(text)![0]).toFixed(1));

const v = (x: string | null) => printf(x, 1);
const kwh = (x: string | null) => printf(x, 3);

/**
 * The firmware's fields in its order: meter object, the unit it reads it in, how it prints, and where
 * the server stores it with the factor from the printed number to the stored integer (M-Bus: none).
 */
const SEM_FORM: [string, string, string, (text: string | null) => string, string | null, number][] = [
  ['UL1', '1-0:32.7.0', 'V', v, 'voltage_l1_dv', 10],
  ['UL2', '1-0:52.7.0', 'V', v, 'voltage_l2_dv', 10],
  ['UL3', '1-0:72.7.0', 'V', v, 'voltage_l3_dv', 10],
  ['IL1', '1-0:31.7.0', 'A', cut1, 'current_l1_ca', 100],
  ['IL2', '1-0:51.7.0', 'A', cut1, 'current_l2_ca', 100],
  ['IL3', '1-0:71.7.0', 'A', cut1, 'current_l3_ca', 100],
  ['Pcl', '1-0:1.8.2', 'kWh', kwh, 'energy_import_t2_wh', 1000],
  ['Pch', '1-0:1.8.1', 'kWh', kwh, 'energy_import_t1_wh', 1000],
  ['Ppl', '1-0:2.8.1', 'kWh', kwh, 'energy_export_t1_wh', 1000],
  ['Pph', '1-0:2.8.2', 'kWh', kwh, 'energy_export_t2_wh', 1000],
  ['Pc', '1-0:1.7.0', 'kW', kwh, 'power_import_w', 1000],
  ['Pp', '1-0:2.7.0', 'kW', kwh, 'power_export_w', 1000],
  ['Vg', '0-1:24.2.3', '', kwh, null, 1],
  ['Vw', '0-2:24.2.3', '', kwh, null, 1],
];

/** The printed field values of a capture (clients.md: -1 for an object the meter did not send). */
function semFields(expected: any): Record<string, string> {
  return Object.fromEntries(SEM_FORM.map(([field, code, unit, print]) => [field, print(obisText(expected, code, unit || undefined))]));
}

describe('every decodable P1 capture as JSON and as the SEM firmware form', () => {
  it('has captures to replay', () => expect(decodable.length).toBeGreaterThan(10));

  for (const c of decodable) {
    it(`${c.name} via POST /api/v1/readings`, async () => {
      const d = await addDevice(ctx.t, { name: `json-${c.name}`.slice(0, 90) });
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: jsonBody(c.reading) });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ accepted: 1, rejected: 0 });
      // JSON carries the values, the clock and the M-Bus channels (events and peaks come with raw telegrams)
      const want = { ...p1ExpectedReading(c.expected), powerFailureLog: [], demandMonthPeak: null, demandPeakHistory: [], raw: [] };
      await expectStored(ctx.t, d.id, want, new Date(res.json().results[0].meterTime));
      await expectReadBack(ctx.app, d.key, want, new Date(res.json().results[0].meterTime));
    });

    it(`${c.name} via POST /post-data.php`, async () => {
      const d = await addDevice(ctx.t, { name: `sem-${c.name}`.slice(0, 90), keyFormat: 'legacy' });
      const fields = semFields(c.expected);
      // exactly the firmware's printf: api_key=%s&UL1=%.1f&...&Vw=%.3f, no escaping, no auth header
      const body = `api_key=${d.key}&${SEM_FORM.map(([f]) => `${f}=${fields[f]}`).join('&')}`;
      const n = (places: number) => `-?(0|[1-9]\\d*)\\.\\d{${places}}`;
      expect(body).toMatch(new RegExp(`^api_key=\\w{19}${['UL1', 'UL2', 'UL3', 'IL1', 'IL2', 'IL3'].map((f) => `&${f}=${n(1)}`).join('')}${['Pcl', 'Pch', 'Ppl', 'Pph', 'Pc', 'Pp', 'Vg', 'Vw'].map((f) => `&${f}=${n(3)}`).join('')}$`));
      const res = await ctx.app.inject({ method: 'POST', url: '/post-data.php', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
      expect(res.statusCode, res.body).toBe(201);
      const row = (await ctx.t.db.selectFrom('reading').selectAll().where('device_id', '=', d.id).executeTakeFirstOrThrow()) as Record<string, unknown>;
      const want: Record<string, number | null> = Object.fromEntries(Object.values(QUANTITY_COLUMNS).map((s) => [s.column, null]));
      for (const [field, , , , column, factor] of SEM_FORM) {
        if (column !== null) want[column] = fields[field]!.startsWith('-1.') ? null : Math.round(Number(fields[field]) * factor);
      }
      // as the P1 routes do, the totals are the sums of the two tariff registers (item 7 of issue #15)
      for (const [total, t1, t2] of [['energy_import_wh', 'energy_import_t1_wh', 'energy_import_t2_wh'], ['energy_export_wh', 'energy_export_t1_wh', 'energy_export_t2_wh']] as const) {
        if (want[t1] != null && want[t2] != null) want[total] = want[t1]! + want[t2]!;
      }
      expect(Object.fromEntries(Object.keys(want).map((k) => [k, row[k]]))).toEqual(want);
      expect(row.meter_time).toEqual(row.received_at);
      const mbus = await ctx.t.db.selectFrom('mbus_reading').select(['channel', 'value']).where('device_id', '=', d.id).orderBy('channel').execute();
      const wantMbus = [
        [1, fields.Vg!],
        [2, fields.Vw!],
      ].filter(([, v]) => !String(v).startsWith('-1.'));
      expect(mbus.map((m) => [m.channel, Number(m.value)])).toEqual(wantMbus.map(([ch, v]) => [ch, Number(v)]));
    });
  }
});
