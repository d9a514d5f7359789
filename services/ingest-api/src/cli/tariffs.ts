// Tariffs and dynamic prices from the shell: `npm run tariffs -- <command> ...`; reads the same SEM_DB_* environment as the server.
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createKysely } from '@sem/db';
import { loadConfigOrExit } from '../config.ts';
import { deviceByIdOrName, reportCliError, UsageError } from './cli-errors.ts';
import { upsertPrices, type PriceImportSummary } from '../admin/tariffs/energy-prices.repository.ts';
import { parsePriceFile, PRICE_FORMATS, type PriceFormat } from '../admin/tariffs/price-file.ts';
import { validateTariffInput } from '../admin/tariffs/tariff-input.validate.ts';
import { deleteTariff, listTariffs, putTariff, type TariffView } from '../admin/tariffs/tariffs.service.ts';

const USAGE = `usage: tariffs <command> [options]
  list --device ID|NAME
  set --device ID|NAME --from YYYY-MM-DD --day PRICE [--night PRICE] [--weekend PRICE] [--day-hours 7-22]
      [--dynamic SERIES [--dynamic-factor F] [--dynamic-markup PRICE]] [--export PRICE] [--monthly-fee FEE]
      [--capacity-be PRICE_PER_KW_YEAR [--capacity-min-kw 2.5]] [--capacity-no 0:130,2:190,5:280,...] [--currency EUR]
      (prices per kWh; creates or replaces the version that applies from that local date)
  delete --device ID|NAME --from YYYY-MM-DD
  import-prices --series NAME [--format ${PRICE_FORMATS.join('|')}] [--per kwh|mwh] FILE...
      (time,price CSV, ENTSO-E day-ahead XML or its CSV export; importing twice changes nothing)
  add --json for JSON output.`;

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    device: { type: 'string' },
    from: { type: 'string' },
    day: { type: 'string' },
    night: { type: 'string' },
    weekend: { type: 'string' },
    'day-hours': { type: 'string' },
    dynamic: { type: 'string' },
    'dynamic-factor': { type: 'string' },
    'dynamic-markup': { type: 'string' },
    export: { type: 'string' },
    'monthly-fee': { type: 'string' },
    'capacity-be': { type: 'string' },
    'capacity-min-kw': { type: 'string' },
    'capacity-no': { type: 'string' },
    currency: { type: 'string' },
    series: { type: 'string' },
    format: { type: 'string' },
    per: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

const command = positionals[0];
if (o.help || !command) {
  console.log(USAGE);
  process.exit(command ? 0 : 2);
}

/** A number option; a non-number is a usage error naming the option (never NaN into the database). */
function number(name: keyof typeof o): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number`);
  return n;
}

function tariffInput(): unknown {
  const hours = o['day-hours'];
  const hm = hours === undefined ? undefined : /^(\d{1,2})-(\d{1,2})$/.exec(hours);
  if (hours !== undefined && !hm) throw new UsageError('--day-hours must be START-END, e.g. 7-22');
  const steps = o['capacity-no']?.split(',').map((s) => {
    const [kw, price] = s.split(':');
    if (price === undefined || !Number.isFinite(Number(kw)) || !Number.isFinite(Number(price))) throw new UsageError('--capacity-no must be FROM_KW:MONTHLY_PRICE,...');
    return { fromKw: Number(kw), monthlyPrice: Number(price) };
  });
  if (o['capacity-be'] !== undefined && steps) throw new UsageError('--capacity-be and --capacity-no exclude each other');
  const beKw = number('capacity-min-kw');
  return {
    ...(o.currency ? { currency: o.currency } : {}),
    importPrices: { day: number('day'), night: number('night') ?? null, weekend: number('weekend') ?? null },
    ...(hm ? { dayHours: { start: Number(hm[1]), end: Number(hm[2]) } } : {}),
    dynamic: o.dynamic ? { series: o.dynamic, factor: number('dynamic-factor') ?? 1, markup: number('dynamic-markup') ?? 0 } : null,
    exportPrice: number('export') ?? 0,
    fixedMonthlyFee: number('monthly-fee') ?? 0,
    capacity: steps
      ? { kind: 'no', steps }
      : o['capacity-be'] !== undefined
        ? { kind: 'be', pricePerKwYear: number('capacity-be'), ...(beKw === undefined ? {} : { minimumKw: beKw }) }
        : { kind: 'none' },
  };
}

function describe(t: TariffView): string {
  const p = t.importPrices;
  const cap =
    t.capacity.kind === 'be'
      ? `capacity BE ${t.capacity.pricePerKwYear}/kW/year (min ${t.capacity.minimumKw} kW)`
      : t.capacity.kind === 'no'
        ? `capacity NO steps ${t.capacity.steps.map((s) => `${s.fromKw}:${s.monthlyPrice}`).join(',')}`
        : 'no capacity tariff';
  return [
    `from ${t.validFrom} (${t.currency}/kWh): day ${p.day} ${t.dayHours.start}-${t.dayHours.end}h, night ${p.night ?? p.day}, weekend ${p.weekend ?? p.night ?? p.day}`,
    t.dynamic ? `  dynamic: ${t.dynamic.factor} × ${t.dynamic.series} + ${t.dynamic.markup}` : null,
    `  export ${t.exportPrice}, fixed ${t.fixedMonthlyFee}/month, ${cap}`,
  ]
    .filter((l) => l !== null)
    .join('\n');
}

/** One status line on stderr, redrawn in place on a terminal, one line per file otherwise. */
function progressLine(text: string, final = false): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
  else if (final) process.stderr.write(`${text}\n`);
}

const config = loadConfigOrExit(process.env);
const db = createKysely({ ...config.db, connectionLimit: 2 });

const deviceId = async () => (await deviceByIdOrName(db, o.device)).id;

function from(): string {
  if (!o.from) throw new UsageError('--from YYYY-MM-DD is required');
  return o.from;
}

const print = (json: unknown, text: string) => console.log(o.json ? JSON.stringify(json, null, 2) : text);

try {
  switch (command) {
    case 'list': {
      const all = await listTariffs(db, await deviceId());
      print(all, all.length ? all.map(describe).join('\n') : 'no tariffs');
      break;
    }
    case 'set': {
      if (o.day === undefined) throw new UsageError('--day PRICE is required');
      const t = await putTariff(db, await deviceId(), from(), validateTariffInput(tariffInput()));
      print(t, describe(t));
      break;
    }
    case 'delete': {
      await deleteTariff(db, await deviceId(), from());
      print({ deleted: true }, 'tariff version deleted');
      break;
    }
    case 'import-prices': {
      const series = o.series;
      if (!series || !/^[A-Za-z0-9_.-]{1,32}$/.test(series)) throw new UsageError('--series NAME (letters, digits, _ . -; up to 32) is required');
      const files = positionals.slice(1);
      if (files.length === 0) throw new UsageError('give one or more price files');
      if (o.format !== undefined && !PRICE_FORMATS.includes(o.format as PriceFormat)) throw new UsageError(`--format must be one of ${PRICE_FORMATS.join(', ')}`);
      if (o.per !== undefined && o.per !== 'kwh' && o.per !== 'mwh') throw new UsageError('--per must be kwh or mwh');
      const summaries: (PriceImportSummary & { file: string })[] = [];
      for (const [i, file] of files.entries()) {
        const label = `[${i + 1}/${files.length}] ${file}`;
        progressLine(`${label}: reading ${statSync(file).size} bytes`);
        const points = parsePriceFile(readFileSync(file, 'utf8'), { format: o.format as PriceFormat | undefined, per: o.per as 'kwh' | 'mwh' | undefined });
        const s = await upsertPrices(db, series, points, (done, total) => progressLine(`${label}: ${points.length} prices, ${done}/${total} quarter-hours written`));
        progressLine(`${label}: ${points.length} prices, ${s.quarters} quarter-hours ${s.from} .. ${s.to}`, true);
        summaries.push({ ...s, file });
      }
      const total = summaries.reduce((n, s) => n + s.quarters, 0);
      print(summaries, `series ${series}: ${total} quarter-hours from ${files.length} file(s)`);
      break;
    }
    default:
      throw new UsageError(`unknown command ${command}\n${USAGE}`);
  }
} catch (err) {
  reportCliError(err);
} finally {
  await db.destroy();
}
