import { decodeTelegrams } from '@sem/meter-protocol';
import { p1Captures } from '/work/main/services/ingest-api/test/fixtures.ts';
for (const c of p1Captures()) {
  try { const r = decodeTelegrams(c.bytes.toString('latin1'), { timeZone: 'Europe/Brussels' }); console.log(c.name, 'ok', r.length, r.map(x=>x.meterTime?.toISOString()).join(','), Object.keys(r[0]?.values??{}).length, 'mbus', r[0]?.mbus.length, 'raw', r[0]?.raw.length); }
  catch (e) { console.log(c.name, 'ERR', (e as Error).constructor.name, (e as Error).message.slice(0,80)); }
}
