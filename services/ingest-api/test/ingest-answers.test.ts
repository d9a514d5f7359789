import { describe, expect, it } from 'vitest';
import { hanCaptures, p1Captures } from './fixtures.ts';
import { ADMIN_TOKEN, addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp({ SEM_RATE_LIMIT_PER_MINUTE: '100000' });

const telegram = p1Captures().find((c) => c.name === 'athom_iskra_am550_dsmr50')!.bytes.toString('latin1');
const frame = hanCaptures().find((c) => c.name === 'kaifa_3p_list3_1')!.bytes;

/** One post to each ingest route, as its client sends it. */
function postsFor(key: string) {
  return {
    readings: () => ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload: { time: new Date().toISOString(), powerImportW: 500 } }),
    telegrams: () => ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(key), 'content-type': 'text/plain' }, payload: telegram }),
    frames: () => ctx.app.inject({ method: 'POST', url: '/api/v1/frames', headers: { ...bearer(key), 'content-type': 'application/octet-stream' }, payload: frame }),
    sem: () =>
      ctx.app.inject({
        method: 'POST',
        url: '/post-data.php',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `api_key=${key}&UL1=231.0&UL2=-1.0&UL3=-1.0&IL1=1.2&IL2=-1.0&IL3=-1.0&Pcl=15.758&Pch=0.034&Ppl=0.011&Pph=0.000&Pc=1.234&Pp=0.000&Vg=-1.000&Vw=-1.000`,
      }),
    dsmrReader: () =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/datalogger/dsmrreading',
        headers: { 'x-authkey': key, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ telegram }).toString(),
      }),
  };
}

describe('every ingest answer tells the device its send interval', () => {
  it('gives the configured interval on each route, and a changed one with the very next post', async () => {
    // A device per route: captures years apart on one device would only make the rollups spread a long gap.
    const routes = Object.keys(postsFor(''));
    const devices = await Promise.all(routes.map((route) => addDevice(ctx.t, { name: `interval-${route}`, keyFormat: 'legacy', timeZone: 'Europe/Oslo', country: 'NO', sendIntervalSeconds: 30 })));
    const each = async (want: number) => {
      for (const [i, route] of routes.entries()) {
        const res = await postsFor(devices[i]!.key)[route as keyof ReturnType<typeof postsFor>]();
        expect(res.statusCode, `${route}: ${res.body}`).toBe(201);
        expect(res.json().sendIntervalSeconds, route).toBe(want);
      }
    };
    await each(30);
    for (const d of devices) {
      const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/devices/${d.id}`, headers: bearer(ADMIN_TOKEN), payload: { sendIntervalSeconds: 300 } });
      expect(patched.statusCode, patched.body).toBe(200);
    }
    // The next post (the same readings again, duplicates) already carries the new interval.
    await each(300);
  });

  it('documents sendIntervalSeconds and the merged status in the OpenAPI answer of each ingest route', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json', headers: bearer(ADMIN_TOKEN) })).json();
    for (const path of ['/api/v1/readings', '/api/v1/telegrams', '/api/v1/frames', '/post-data.php', '/api/v1/datalogger/dsmrreading']) {
      const given = Object.values<any>(doc.paths[path].post.responses['201'].content)[0].schema;
      const schema = given.$ref ? doc.components.schemas[given.$ref.split('/').pop()] : given;
      expect(schema.required, path).toEqual(expect.arrayContaining(['sendIntervalSeconds', 'merged']));
      expect(schema.properties.sendIntervalSeconds.type, path).toBe('integer');
      expect(schema.properties.results.items.properties.status.enum, path).toContain('merged');
    }
  });
});
