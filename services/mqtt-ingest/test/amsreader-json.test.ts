import { describe, expect, it } from 'vitest';
import { parseAmsReaderJson } from '../src/amsreader/amsreader-json.ts';

// Payloads in the layout of AmsReader's json1/json3/json4/jsonsys templates, values made up.
const LIST1 = '{"id":"A4:CF:12:00:11:22","name":"ams-1a2b","up":3600,"t":1732200000,"vcc":3.284,"rssi":-61,"temp":21.50,"data":{"P":1523},"realtime":{"h":0.41,"d":7.3,"t":5,"x":2.10,"he":0.00,"de":0.0}}';
const LIST3 = JSON.stringify({
  id: 'A4:CF:12:00:11:22', name: 'ams-1a2b', up: 3600, t: 1732201210, vcc: 3.284, rssi: -61, temp: 21.5,
  data: {
    lv: 'Kamstrup_V0001', id: '5706567000000000', type: '6841121BN243101040',
    P: 1523, Q: 0, PO: 0, QO: 112,
    I1: 3.1, I2: 2.45, I3: 1.02, U1: 231.0, U2: 229.5, U3: 233.0,
    tPI: 12345.678, tPO: 0.123, tQI: 11.5, tQO: 2222.25, rtc: 1732201200,
  },
  realtime: { h: 0.41, d: 7.3, t: 5, x: 2.1, he: 0, de: 0 },
});
const SINGLE_PHASE_LIST2 = '{"id":"x","name":"n","up":1,"t":0,"vcc":3.3,"rssi":-50,"temp":20,"data":{"lv":"KFM_001","id":"6970631400000000","type":"MA105H2E","P":845,"Q":0,"PO":0,"QO":95,"I1":3.87,"I2":0.00,"I3":0.00,"U1":234.10,"U2":0.00,"U3":0.00},"realtime":{"h":0,"d":0,"t":0,"x":0,"he":0,"de":0}}';
const LIST4_WITHOUT_PHASE_POWER = '{"id":"x","name":"n","up":1,"t":1732201210,"vcc":3.3,"rssi":-50,"temp":20,"data":{"lv":"AIDON_V0001","id":"7359992890941742","type":"6534","P":2000,"P1":0,"P2":0,"P3":0,"Q":0,"PO":0,"PO1":0,"PO2":0,"PO3":0,"QO":0,"I1":1.0,"I2":2.0,"I3":3.0,"U1":230.0,"U2":231.0,"U3":232.0,"PF":0.00,"PF1":0.00,"PF2":0.00,"PF3":0.00,"tPI":100.000,"tPO":0.000,"tQI":1.000,"tQO":2.000,"tPI1":0.000,"tPI2":0.000,"tPI3":0.000,"tPO1":0.000,"tPO2":0.000,"tPO3":0.000,"rtc":1732201200},"realtime":{"h":0,"d":0,"t":0,"x":0,"he":0,"de":0}}';
const SYSTEM = '{"id":"A4:CF:12:00:11:22","name":"ams-1a2b","up":12,"vcc":3.3,"rssi":-60,"temp":22.0,"version":"v2.2.0"}';

describe('AmsReader JSON', () => {
  it('maps list 3 fields to the canonical quantities in their units', () => {
    const r = parseAmsReaderJson(Buffer.from(LIST3));
    expect(r.kind).toBe('reading');
    if (r.kind !== 'reading') return;
    expect(r.reading.values).toEqual({
      powerImportW: 1523, powerReactiveImportVar: 0, powerExportW: 0, powerReactiveExportVar: 112,
      currentL1A: 3.1, currentL2A: 2.45, currentL3A: 1.02, voltageL1V: 231, voltageL2V: 229.5, voltageL3V: 233,
      energyImportKwh: 12345.678, energyExportKwh: 0.123, energyReactiveImportKvarh: 11.5, energyReactiveExportKvarh: 2222.25,
    });
    // The meter clock (rtc), not the reader's own clock (t, ten seconds later).
    expect(r.reading.meterTime?.toISOString()).toBe('2024-11-21T15:00:00.000Z');
    expect(r.reading.meterId).toBe('5706567000000000');
    expect(r.reading.header).toBe('Kamstrup_V0001');
    expect(r.reading.list).toBe(3);
    expect(r.reading.protocol).toBe('han');
    expect(r.deviceMac).toBe('A4:CF:12:00:11:22');
    expect(r.reading.raw).toContainEqual({ obis: '0-0:96.1.7', value: '6841121BN243101040' });
  });

  it('reads list 1 (power only) with the package time', () => {
    const r = parseAmsReaderJson(LIST1);
    expect(r.kind === 'reading' && r.reading.values).toEqual({ powerImportW: 1523 });
    expect(r.kind === 'reading' && r.reading.list).toBe(1);
    expect(r.kind === 'reading' && r.reading.meterTime?.getTime()).toBe(1732200000_000);
  });

  it('takes the meter clock over a reader clock that counts seconds since boot (v2.5, no time sync)', () => {
    const unsynced = JSON.parse(LIST3) as { t: number };
    unsynced.t = 86_400 + 17;
    const r = parseAmsReaderJson(JSON.stringify(unsynced));
    expect(r.kind === 'reading' && r.reading.meterTime?.toISOString()).toBe('2024-11-21T15:00:00.000Z');
  });

  it('treats an unsynced reader clock without a meter clock as no clock (stored at receive time), marked with what was sent', () => {
    const r = parseAmsReaderJson(LIST1.replace('"t":1732200000', '"t":86417'));
    expect(r.kind).toBe('reading');
    expect(r.kind === 'reading' && r.reading.meterTime).toBeNull();
    expect(r.kind === 'reading' && r.reading.meterClockUnset).toBe('t=86417');
    // a usable clock, or the meter clock winning over an unsynced t, is not marked
    for (const ok of [LIST1, LIST3.replace(/"t":\d+/, '"t":86417')]) {
      const parsed = parseAmsReaderJson(ok);
      expect(parsed.kind === 'reading' && 'meterClockUnset' in parsed.reading).toBe(false);
    }
  });

  it('treats the zeros AmsReader prints for phases 2 and 3 of a single-phase meter as absent', () => {
    const r = parseAmsReaderJson(SINGLE_PHASE_LIST2);
    if (r.kind !== 'reading') throw new Error(r.kind);
    expect(r.reading.values).toEqual({
      powerImportW: 845, powerReactiveImportVar: 0, powerExportW: 0, powerReactiveExportVar: 95, currentL1A: 3.87, voltageL1V: 234.1,
    });
    expect(r.reading.meterTime).toBeNull();
    expect(r.reading.list).toBe(2);
  });

  it('drops the all-zero per-phase power and power-factor block of a list-4 payload, keeps the rest', () => {
    const r = parseAmsReaderJson(LIST4_WITHOUT_PHASE_POWER);
    if (r.kind !== 'reading') throw new Error(r.kind);
    expect(Object.keys(r.reading.values).sort()).toEqual(
      ['currentL1A', 'currentL2A', 'currentL3A', 'energyExportKwh', 'energyImportKwh', 'energyReactiveExportKvarh', 'energyReactiveImportKvarh',
        'powerExportW', 'powerImportW', 'powerReactiveExportVar', 'powerReactiveImportVar', 'voltageL1V', 'voltageL2V', 'voltageL3V'].sort(),
    );
    expect(r.reading.raw.filter((o) => o.obis.endsWith('.8.0'))).toEqual([]);
  });

  it('recognises system info, prices and temperatures on the same topic as no reading', () => {
    expect(parseAmsReaderJson(SYSTEM)).toEqual({ kind: 'not-a-reading', what: 'system info' });
    expect(parseAmsReaderJson('{"temperatures":{"28ff":21.5}}')).toEqual({ kind: 'not-a-reading', what: 'temperatures' });
  });

  it('reads the meter id from data.meterId (v2.3+) and from data.id (older releases)', () => {
    const newer = parseAmsReaderJson(JSON.stringify({ id: 'A4:CF', t: 1732201210, data: { lv: 'KFM_001', meterId: '6970631400000001', P: 10 } }));
    expect(newer.kind === 'reading' && newer.reading.meterId).toBe('6970631400000001');
    const older = parseAmsReaderJson(JSON.stringify({ id: 'A4:CF', t: 1732201210, data: { id: '6970631400000002', P: 10 } }));
    expect(older.kind === 'reading' && older.reading.meterId).toBe('6970631400000002');
  });

  it('reads "JSON (flat)": values at the top level, the top-level id is the MAC and never the meter id', () => {
    const flat = JSON.parse(LIST3);
    const { data, realtime, ...header } = flat;
    delete data.id;
    const r = parseAmsReaderJson(JSON.stringify({ ...header, ...data, meterId: '5706567000000000', rt_h: 0.41, rt_d: 7.3, peaks: [1.5] }));
    const nested = parseAmsReaderJson(LIST3);
    if (r.kind !== 'reading' || nested.kind !== 'reading') throw new Error('not readings');
    expect(r.reading).toEqual(nested.reading);
    expect(r.deviceMac).toBe('A4:CF:12:00:11:22');
    const noMeterId = parseAmsReaderJson(JSON.stringify({ id: 'A4:CF:12:00:11:22', t: 1732201210, P: 5 }));
    expect(noMeterId.kind === 'reading' && noMeterId.reading.meterId).toBeNull();
  });

  it('maps the tariff registers and list 4 per-phase energy; their all-zero groups mean "not sent"', () => {
    const r = parseAmsReaderJson(JSON.stringify({ t: 1732201210, data: { P: 1, tPI: 0, tPIT1: 100.001, tPIT2: 200.002, tPO: 0, tPOT1: 0, tPOT2: 0, tPI1: 1.5, tPI2: 0, tPI3: 2.25, tPO1: 0, tPO2: 0, tPO3: 0 } }));
    if (r.kind !== 'reading') throw new Error(r.kind);
    expect(r.reading.values).toEqual({
      powerImportW: 1, energyImportKwh: 0, energyExportKwh: 0,
      energyImportT1Kwh: 100.001, energyImportT2Kwh: 200.002,
      energyImportL1Kwh: 1.5, energyImportL2Kwh: 0, energyImportL3Kwh: 2.25,
    });
    const tariffsOnly = parseAmsReaderJson(JSON.stringify({ t: 1732201210, data: { P: 1, tPIT1: 0.1, tPIT2: 0.2 } }));
    // no total sent: the exact T1 + T2, as a P1 meter's telegram gives it
    expect(tariffsOnly.kind === 'reading' && tariffsOnly.reading.values.energyImportKwh).toBe(0.3);
  });

  it('passes the raw meter bytes of its /data topic on as a frame or telegram', () => {
    expect(parseAmsReaderJson('{"data":"7ea0"}')).toEqual({ kind: 'meter-bytes', bytes: Buffer.from('7ea0', 'hex'), framing: 'hdlc' });
    expect(parseAmsReaderJson(`{"data":"${Buffer.from('/ISK5').toString('hex')}"}`)).toMatchObject({ kind: 'meter-bytes', framing: 'p1' });
    expect(parseAmsReaderJson('{"data":"6868"}')).toEqual({ kind: 'not-a-reading', what: 'raw meter bytes of unknown framing' });
    expect(parseAmsReaderJson('{"data":"xyz"}').kind).toBe('malformed');
  });

  it('names every message without meter values by what it is', () => {
    expect(parseAmsReaderJson('{"id":"x","prices":{"import":[0.1]}}')).toEqual({ kind: 'not-a-reading', what: 'prices' });
    expect(parseAmsReaderJson('{"id":"x","pr_0":0.1,"pr_min":0.1}')).toEqual({ kind: 'not-a-reading', what: 'prices' });
    expect(parseAmsReaderJson('{"installed_version":"v2.5.1","latest_version":"v2.5.2"}')).toEqual({ kind: 'not-a-reading', what: 'firmware notice' });
    expect(parseAmsReaderJson('{"id":"x"}')).toEqual({ kind: 'not-a-reading', what: 'unknown message' });
  });

  it('calls broken payloads malformed without throwing', () => {
    expect(parseAmsReaderJson('{"data":').kind).toBe('malformed');
    expect(parseAmsReaderJson('[1,2]').kind).toBe('malformed');
    expect(parseAmsReaderJson('{"data":{"P":"1523"}}')).toMatchObject({ kind: 'malformed', reason: 'data.P is not a number' });
    expect(parseAmsReaderJson('{"data":{}}')).toMatchObject({ kind: 'malformed' });
    expect(parseAmsReaderJson(Buffer.from([0xff, 0xfe, 0x00])).kind).toBe('malformed');
  });
});
