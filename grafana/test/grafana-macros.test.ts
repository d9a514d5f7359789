import { describe, expect, it } from 'vitest';
import { calculateIntervalMs, expandMacros, expandQuery, formatInterval, interpolateGlobals, interpolateVariables } from '../src/grafana-macros.ts';

// 2017-05-10T10:06:23Z .. 2017-05-11T10:06:23Z (the range of Grafana's own macro tests).
const range = { from: 1494410783000, to: 1494497183000 };

describe("Grafana's MySQL macro expansion", () => {
  it('expands the time macros as the MySQL macro engine does', () => {
    expect(expandMacros('WHERE $__timeFilter(time_column)', range)).toBe('WHERE time_column BETWEEN FROM_UNIXTIME(1494410783) AND FROM_UNIXTIME(1494497183)');
    expect(expandMacros('select $__time(time_column)', range)).toBe('select UNIX_TIMESTAMP(time_column) as time_sec');
    expect(expandMacros('select $__timeEpoch(time)', range)).toBe('select UNIX_TIMESTAMP(time) as time_sec');
    expect(expandMacros('GROUP BY $__timeGroup(time_column,\'5m\')', range)).toBe('GROUP BY UNIX_TIMESTAMP(time_column) DIV 300 * 300');
    expect(expandMacros('GROUP BY $__timeGroup(time_column, 1d)', range)).toBe('GROUP BY UNIX_TIMESTAMP(time_column) DIV 86400 * 86400');
    expect(expandMacros("SELECT $__timeGroupAlias(time_column,'5m')", range)).toBe('SELECT UNIX_TIMESTAMP(time_column) DIV 300 * 300 AS "time"');
    expect(expandMacros('select $__timeFrom(), $__timeTo()', range)).toBe('select FROM_UNIXTIME(1494410783), FROM_UNIXTIME(1494497183)');
    expect(expandMacros('WHERE $__unixEpochFilter(c)', range)).toBe('WHERE c >= 1494410783 AND c <= 1494497183');
    expect(expandMacros("select $__unixEpochGroup(c,'5m')", range)).toBe('select c DIV 300 * 300');
    expect(expandMacros("select $__unixEpochGroupAlias(c,'1h')", range)).toBe('select c DIV 3600 * 3600 AS "time"');
    expect(expandMacros('WHERE $__unixEpochNanoFilter(c)', range)).toBe('WHERE c >= 1494410783000000000 AND c <= 1494497183000000000');
  });

  it('splits arguments on commas and cuts at the first ")", so arguments must be plain columns', () => {
    expect(expandMacros('WHERE $__timeFilter( t.col )', range)).toBe('WHERE t.col BETWEEN FROM_UNIXTIME(1494410783) AND FROM_UNIXTIME(1494497183)');
    expect(expandMacros('WHERE $__timeFilter(DATE(t))', range)).toBe('WHERE DATE(t BETWEEN FROM_UNIXTIME(1494410783) AND FROM_UNIXTIME(1494497183))');
    expect(() => expandMacros('$__timeGroup(a)', range)).toThrow(/needs time column and interval/);
  });

  it('refuses unknown macros and the restricted functions', () => {
    expect(() => expandMacros('SELECT $__nope(x)', range)).toThrow(/unknown macro __nope/);
    expect(() => expandMacros('SELECT user()', range)).toThrow(/not allowed/);
    expect(() => expandMacros('show grants', range)).toThrow(/not allowed/);
  });

  it('replaces the interval and epoch globals before the macros, $__interval_ms first', () => {
    const s = interpolateGlobals('$__interval_ms $__interval $__unixEpochFrom() $__unixEpochTo()', range, 120_000);
    expect(s).toBe('120000 2m 1494410783 1494497183');
    expect(expandMacros(interpolateGlobals('$__timeGroup(t, $__interval)', range, 3_600_000), range)).toBe('UNIX_TIMESTAMP(t) DIV 3600 * 3600');
    expect([1000, 60_000, 7_200_000, 86_400_000, 604_800_000, 31_536_000_000].map(formatInterval)).toEqual(['1s', '1m', '2h', '1d', '7d', '1y']);
  });

  it("computes $__interval as the browser does: range / max data points, rounded, never below the minimum", () => {
    const day = { from: 0, to: 86_400_000 };
    expect(calculateIntervalMs(day, 500)).toBe(120_000); // 172.8 s -> 2m
    expect(calculateIntervalMs(day, 500, '15m')).toBe(900_000);
    expect(calculateIntervalMs({ from: 0, to: 30 * 86_400_000 }, 500)).toBe(3_600_000);
    expect(calculateIntervalMs({ from: 0, to: 365 * 86_400_000 }, 500)).toBe(43_200_000);
    expect(calculateIntervalMs({ from: 0, to: 60_000 }, 500, '1s')).toBe(1000);
  });

  it('formats variables like the SQL datasources', () => {
    const vars = {
      device: { value: "7'" },
      devices: { value: ['1', "o'k"], multi: true },
      one: { value: '3', multi: true },
    };
    expect(interpolateVariables('a=$device', vars, range)).toBe("a=7''");
    expect(interpolateVariables('a IN ($devices)', vars, range)).toBe("a IN ('1','o''k')");
    expect(interpolateVariables('a IN ($one)', vars, range)).toBe("a IN ('3')");
    expect(interpolateVariables('${devices:csv}|${device:sqlstring}|[[device]]|${device}', vars, range)).toBe("1,o'k|'7'''|7''|7''");
    expect(interpolateVariables('$__from-$__to $__timeFilter(x) $unknown', vars, range)).toBe('1494410783000-1494497183000 $__timeFilter(x) $unknown');
  });

  it('runs the three passes in order', () => {
    const { sql, intervalMs } = expandQuery('SELECT $__timeGroupAlias(ts, $__interval), v FROM t WHERE d = $device AND $__timeFilter(ts) AND $__interval_ms >= 60000', {
      range,
      variables: { device: { value: '5' } },
      maxDataPoints: 500,
      minInterval: '1s',
    });
    expect(intervalMs).toBe(120_000);
    expect(sql).toBe('SELECT UNIX_TIMESTAMP(ts) DIV 120 * 120 AS "time", v FROM t WHERE d = 5 AND ts BETWEEN FROM_UNIXTIME(1494410783) AND FROM_UNIXTIME(1494497183) AND 120000 >= 60000');
  });
});
