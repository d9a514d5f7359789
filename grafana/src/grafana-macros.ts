/**
 * Grafana's MySQL query expansion, mirrored for tests and the benchmark (see docs/dashboards.md):
 * 1. browser: dashboard variables and $__from/$__to; 2. server: $__interval_ms, $__interval,
 * $__unixEpochFrom(), $__unixEpochTo(); 3. server: macro calls matched by \$name(args).
 */

export interface TimeRange {
  /** UTC epoch ms. */
  from: number;
  to: number;
}

export interface VariableValue {
  value: string | readonly string[];
  multi?: boolean;
  includeAll?: boolean;
}

export interface ExpandOptions {
  range: TimeRange;
  variables: Readonly<Record<string, VariableValue>>;
  /** Query's maxDataPoints (else the panel width in pixels). */
  maxDataPoints: number;
  /** Lower limit of the interval: the panel's `interval`, else the datasource's jsonData.timeInterval. */
  minInterval?: string | undefined;
}

/** Grafana's frontend interval rounding (rangeutil.roundInterval). */
export function roundInterval(ms: number): number {
  const steps: [number, number][] = [
    [15, 10], [35, 20], [75, 50], [150, 100], [350, 200], [750, 500], [1500, 1000], [3500, 2000], [7500, 5000],
    [12500, 10000], [17500, 15000], [25000, 20000], [45000, 30000], [90000, 60000], [210000, 120000],
    [450000, 300000], [750000, 600000], [1050000, 900000], [1500000, 1200000], [2700000, 1800000],
    [5400000, 3600000], [9000000, 7200000], [16200000, 10800000], [32400000, 21600000], [86400000, 43200000],
    [604800000, 86400000], [1814400000, 604800000], [3628800000, 2592000000],
  ];
  for (const [limit, value] of steps) if (ms < limit) return value;
  return 31536000000;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** gtime.ParseInterval for the fixed units; M and y depend on "now" in Grafana and are refused here. */
export function parseInterval(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|M|y)$/.exec(text);
  if (!m) throw new Error(`error parsing interval ${text}`);
  if (m[2] === 'M' || m[2] === 'y') throw new Error(`interval ${text} is relative to now in Grafana; not used by these dashboards`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** The frontend's interval: range / maxDataPoints, rounded, never below the lower limit. */
export function calculateIntervalMs(range: TimeRange, maxDataPoints: number, minInterval?: string): number {
  const ms = roundInterval((range.to - range.from) / maxDataPoints);
  const low = minInterval ? parseInterval(minInterval) : 1;
  return Math.max(ms, low);
}

/** gtime.FormatInterval (server side text of $__interval). */
export function formatInterval(ms: number): string {
  const y = 365 * 86_400_000;
  if (ms >= y) return `${Math.floor(ms / y)}y`;
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)}d`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)}h`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m`;
  if (ms >= 1000) return `${Math.floor(ms / 1000)}s`;
  if (ms >= 1) return `${Math.floor(ms)}ms`;
  return '1ms';
}

const quoteLiteral = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** The SQL datasources' default formatting of a variable value (SqlDatasource.interpolateVariable). */
function defaultFormat(v: VariableValue): string {
  if (Array.isArray(v.value)) return (v.value as string[]).map(quoteLiteral).join(',');
  const s = v.value as string;
  return v.multi || v.includeAll ? quoteLiteral(s) : s.replace(/'/g, "''");
}

function formatAs(v: VariableValue, format: string): string {
  const values = Array.isArray(v.value) ? (v.value as string[]) : [v.value as string];
  switch (format) {
    case 'csv':
      return values.join(',');
    case 'sqlstring':
      return values.map(quoteLiteral).join(',');
    case 'raw':
      return values.join(',');
    default:
      throw new Error(`variable format ${format} is not mirrored`);
  }
}

// templateSrv's variable regex: $var, [[var]] / [[var:fmt]], ${var} / ${var:fmt}.
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** Pass 1 (browser): dashboard variables and the $__from/$__to globals; unknown names stay as written. */
export function interpolateVariables(sql: string, variables: Readonly<Record<string, VariableValue>>, range: TimeRange): string {
  const globals: Record<string, VariableValue> = { __from: { value: String(range.from) }, __to: { value: String(range.to) } };
  return sql.replace(VARIABLE, (match, v1, v2, fmt2, v3, _field, fmt3) => {
    const name = (v1 ?? v2 ?? v3) as string;
    const variable = variables[name] ?? globals[name];
    if (!variable) return match;
    const fmt = (fmt2 ?? fmt3) as string | undefined;
    return fmt ? formatAs(variable, fmt) : defaultFormat(variable);
  });
}

/** Pass 2 (server, sqleng.Interpolate): interval and epoch globals, plain string replacement in this order. */
export function interpolateGlobals(sql: string, range: TimeRange, intervalMs: number): string {
  return sql
    .replaceAll('$__interval_ms', String(intervalMs))
    .replaceAll('$__interval', formatInterval(intervalMs))
    .replaceAll('$__unixEpochFrom()', String(Math.floor(range.from / 1000)))
    .replaceAll('$__unixEpochTo()', String(Math.floor(range.to / 1000)));
}

const RESTRICTED = /([\s]*show[\s]+grants|[\s,]session_user\([^)]*\)|[\s,]current_user(\([^)]*\))?|[\s,]system_user\([^)]*\)|[\s,]user\([^)]*\))([\s,;]|$)/im;
const MACRO = /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g;

const goSeconds = (ms: number) => ms / 1000;

function evaluateMacro(name: string, args: string[], range: TimeRange): string {
  const a = Math.floor(range.from / 1000);
  const b = Math.floor(range.to / 1000);
  const needColumn = () => {
    if (args.length === 0 || (args.length === 1 && args[0] === '')) throw new Error(`missing time column argument for macro ${name}`);
  };
  switch (name) {
    case '__timeEpoch':
    case '__time':
      needColumn();
      return `UNIX_TIMESTAMP(${args[0]}) as time_sec`;
    case '__timeFilter':
      needColumn();
      if (a < 0) return `${args[0]} BETWEEN DATE_ADD(FROM_UNIXTIME(0), INTERVAL ${a} SECOND) AND FROM_UNIXTIME(${b})`;
      return `${args[0]} BETWEEN FROM_UNIXTIME(${a}) AND FROM_UNIXTIME(${b})`;
    case '__timeFrom':
      return `FROM_UNIXTIME(${a})`;
    case '__timeTo':
      return `FROM_UNIXTIME(${b})`;
    case '__timeGroup': {
      if (args.length < 2) throw new Error(`macro ${name} needs time column and interval`);
      if (args.length === 3) throw new Error('fill modes are not mirrored');
      const s = goSeconds(parseInterval(args[1]!.replace(/^['"]+|['"]+$/g, '')));
      return `UNIX_TIMESTAMP(${args[0]}) DIV ${s.toFixed(0)} * ${s.toFixed(0)}`;
    }
    case '__timeGroupAlias':
      return `${evaluateMacro('__timeGroup', args, range)} AS "time"`;
    case '__unixEpochFilter':
      needColumn();
      return `${args[0]} >= ${a} AND ${args[0]} <= ${b}`;
    case '__unixEpochNanoFilter':
      needColumn();
      return `${args[0]} >= ${BigInt(range.from) * 1_000_000n} AND ${args[0]} <= ${BigInt(range.to) * 1_000_000n}`;
    case '__unixEpochNanoFrom':
      return String(BigInt(range.from) * 1_000_000n);
    case '__unixEpochNanoTo':
      return String(BigInt(range.to) * 1_000_000n);
    case '__unixEpochGroup': {
      if (args.length < 2) throw new Error(`macro ${name} needs time column and interval and optional fill value`);
      if (args.length === 3) throw new Error('fill modes are not mirrored');
      const s = goSeconds(parseInterval(args[1]!.replace(/^'+|'+$/g, '')));
      return `${args[0]} DIV ${s} * ${s}`;
    }
    case '__unixEpochGroupAlias':
      return `${evaluateMacro('__unixEpochGroup', args, range)} AS "time"`;
    default:
      throw new Error(`unknown macro ${name}`);
  }
}

/** Pass 3 (server, mySQLMacroEngine.Interpolate). */
export function expandMacros(sql: string, range: TimeRange): string {
  if (RESTRICTED.test(sql)) throw new Error('invalid query - show grants / user() functions are not allowed');
  return sql.replace(MACRO, (_m, name: string, argText: string) =>
    evaluateMacro(
      name,
      argText.split(',').map((x) => x.replace(/^ +| +$/g, '')),
      range,
    ),
  );
}

/** All three passes, as Grafana runs a panel's rawSql. */
export function expandQuery(rawSql: string, opts: ExpandOptions): { sql: string; intervalMs: number } {
  const intervalMs = calculateIntervalMs(opts.range, opts.maxDataPoints, opts.minInterval);
  const pass1 = interpolateVariables(rawSql, opts.variables, opts.range);
  const pass2 = interpolateGlobals(pass1, opts.range, intervalMs);
  return { sql: expandMacros(pass2, opts.range), intervalMs };
}
