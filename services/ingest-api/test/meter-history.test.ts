/**
 * What a meter says about itself and its past, stored even where the telegram gives no key for it:
 * the identity of a meter that sends no equipment id (header, version, vendor), and the capacity-tariff
 * month without a peak (0-0:98.1.0 entry with the invalid date 632525252525W and 0.000 kW).
 */
import { describe, expect, it } from 'vitest';
import { crc16Arc, decodeTelegrams } from '@sem/meter-protocol';
import { addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp();

function sealed(lines: string[]): Buffer {
  const body = `${lines.join('\r\n')}\r\n!`;
  return Buffer.from(`${body}${crc16Arc(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0')}\r\n`, 'latin1');
}

const post = (key: string, payload: Buffer) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(key), 'content-type': 'text/plain' }, payload });

describe('meter identity', () => {
  it('keeps the header and version of a meter that sends no equipment id, and each change of them', async () => {
    const d = await addDevice(ctx.t, { country: 'BE' });
    const lines = (wall: string, version: string) => ['/FLU5\\253769484_A', '', `0-0:96.1.4(${version})`, `0-0:1.0.0(${wall}W)`, '1-0:1.8.1(000123.456*kWh)'];
    for (const [wall, version] of [['231204100000', '50217'], ['231204100100', '50217'], ['231204100200', '50221']] as const) {
      expect((await post(d.key, sealed(lines(wall, version)))).statusCode).toBe(201);
    }
    const rows = await ctx.t.db.selectFrom('device_identity').selectAll().where('device_id', '=', d.id).orderBy('first_seen_at').execute();
    // FLU is not a FLAG id the decoder maps to a vendor: vendor stays null
    expect(rows.map((r) => [r.protocol, r.meter_id, r.header, r.version, r.vendor])).toEqual([
      ['p1', null, 'FLU5\\253769484_A', '50217', null],
      ['p1', null, 'FLU5\\253769484_A', '50221', null],
    ]);
    expect(rows[0]!.last_seen_at.getTime()).toBeGreaterThanOrEqual(rows[0]!.first_seen_at.getTime());
    // device_meter still lists only meters with an id
    expect(await ctx.t.db.selectFrom('device_meter').selectAll().where('device_id', '=', d.id).execute()).toEqual([]);
  });

  it('keeps the identity with the equipment id too, once per distinct identity', async () => {
    const d = await addDevice(ctx.t, { country: 'BE' });
    const lines = (wall: string) => ['/FLU5\\253769484_A', '', '0-0:96.1.4(50217)', '0-0:96.1.1(3153414733313031303231363035)', `0-0:1.0.0(${wall}W)`, '1-0:1.8.1(000123.456*kWh)'];
    for (const wall of ['231204100000', '231204100100']) expect((await post(d.key, sealed(lines(wall)))).statusCode).toBe(201);
    const rows = await ctx.t.db.selectFrom('device_identity').select(['meter_id', 'header', 'version']).where('device_id', '=', d.id).execute();
    expect(rows).toEqual([{ meter_id: '1SAG3101021605', header: 'FLU5\\253769484_A', version: '50217' }]);
  });
});

describe('capacity-tariff history 0-0:98.1.0', () => {
  it('stores a month without a peak as its zero peak, next to the months with one', async () => {
    const d = await addDevice(ctx.t, { country: 'BE' });
    const telegram = sealed([
      '/FLU5\\253769484_A',
      '',
      '0-0:96.1.4(50217)',
      '0-0:1.0.0(200512134558S)',
      '1-0:1.8.1(000123.456*kWh)',
      '0-0:98.1.0(3)(1-0:1.6.0)(1-0:1.6.0)(200501000000S)(200423192538S)(03.695*kW)(200401000000S)(632525252525W)(00.000*kW)(200301000000S)(200210035421W)(04.318*kW)',
    ]);
    const [reading] = decodeTelegrams(telegram.toString('latin1'));
    expect(reading!.demandPeakHistory[1]).toMatchObject({ at: null, kw: 0 });
    const res = await post(d.key, telegram);
    expect(res.statusCode, res.body).toBe(201);
    const months = await ctx.t.db.selectFrom('demand_peak_month').selectAll().where('device_id', '=', d.id).orderBy('period_end').execute();
    expect(months.map((m) => [m.period_end.toISOString(), m.peak_at?.toISOString() ?? null, m.demand_w])).toEqual([
      ['2020-02-29T23:00:00.000Z', '2020-02-10T02:54:21.000Z', 4318],
      ['2020-03-31T22:00:00.000Z', null, 0],
      ['2020-04-30T22:00:00.000Z', '2020-04-23T17:25:38.000Z', 3695],
    ]);
    // the same history again (every telegram repeats it) adds nothing
    const again = sealed([
      '/FLU5\\253769484_A', '', '0-0:96.1.4(50217)', '0-0:1.0.0(200512134559S)', '1-0:1.8.1(000123.457*kWh)',
      '0-0:98.1.0(3)(1-0:1.6.0)(1-0:1.6.0)(200501000000S)(200423192538S)(03.695*kW)(200401000000S)(632525252525W)(00.000*kW)(200301000000S)(200210035421W)(04.318*kW)',
    ]);
    expect((await post(d.key, again)).statusCode).toBe(201);
    expect(await ctx.t.db.selectFrom('demand_peak_month').select('period_end').where('device_id', '=', d.id).execute()).toHaveLength(3);
  });
});
