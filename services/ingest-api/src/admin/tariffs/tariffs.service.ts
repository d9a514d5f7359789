/** A device's tariff versions: each applies from a local date until the next one. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '@sem/db';
import { ApiError } from '../../errors/api-error.ts';

export interface CapacityStep {
  fromKw: number;
  monthlyPrice: number;
}

export type CapacityInput =
  | { kind: 'none' }
  | { kind: 'be'; pricePerKwYear: number; minimumKw?: number }
  | { kind: 'no'; steps: CapacityStep[] };

export interface TariffInput {
  currency?: string;
  importPrices: { day: number; night?: number | null; weekend?: number | null };
  dayHours?: { start: number; end: number };
  dynamic?: { series: string; factor?: number; markup?: number } | null;
  exportPrice?: number;
  fixedMonthlyFee?: number;
  capacity?: CapacityInput;
}

export interface TariffView {
  validFrom: string;
  currency: string;
  importPrices: { day: number; night: number | null; weekend: number | null };
  dayHours: { start: number; end: number };
  dynamic: { series: string; factor: number; markup: number } | null;
  exportPrice: number;
  fixedMonthlyFee: number;
  capacity: { kind: 'none' } | { kind: 'be'; pricePerKwYear: number; minimumKw: number } | { kind: 'no'; steps: CapacityStep[] };
}

/** A real calendar date YYYY-MM-DD in 1990-2099 (a tariff date outside is a typo). */
export function checkDate(text: string, what = 'validFrom'): string {
  const ok = /^(199\d|20\d\d)-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
  if (!ok) throw new ApiError('bad_request', `${what} must be a date YYYY-MM-DD between 1990 and 2099`, { details: { [what]: text } });
  return text;
}

function checkInput(input: TariffInput): void {
  const hours = input.dayHours ?? { start: 7, end: 22 };
  if (!(hours.start < hours.end)) throw new ApiError('bad_request', 'dayHours.start must be before dayHours.end', { details: { dayHours: hours } });
  const cap = input.capacity;
  if (cap?.kind === 'no') {
    const from = cap.steps.map((s) => s.fromKw);
    if (from[0] !== 0) throw new ApiError('bad_request', 'the first capacity step must start at 0 kW');
    for (let i = 1; i < from.length; i++) {
      if (!(from[i]! > from[i - 1]!)) throw new ApiError('bad_request', 'capacity steps must be in increasing fromKw order', { details: { fromKw: from } });
    }
  }
}

const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
const dateText = (v: Date | string) => (typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10));

type TariffRow = Awaited<ReturnType<typeof selectRows>>[number];

function selectRows(db: Kysely<Database> | Transaction<Database>, deviceId: number, validFrom?: string) {
  let q = db.selectFrom('tariff').selectAll().where('device_id', '=', deviceId);
  if (validFrom) q = q.where('valid_from', '=', validFrom);
  return q.orderBy('valid_from').execute();
}

async function toViews(db: Kysely<Database> | Transaction<Database>, rows: TariffRow[]): Promise<TariffView[]> {
  const ids = rows.filter((r) => r.capacity_kind === 'no').map((r) => r.id);
  const steps = ids.length ? await db.selectFrom('tariff_capacity_step').selectAll().where('tariff_id', 'in', ids).orderBy('from_kw').execute() : [];
  return rows.map((r) => ({
    validFrom: dateText(r.valid_from),
    currency: r.currency,
    importPrices: { day: Number(r.import_day_price), night: num(r.import_night_price), weekend: num(r.import_weekend_price) },
    dayHours: { start: r.day_start_hour, end: r.day_end_hour },
    dynamic: r.price_series ? { series: r.price_series, factor: Number(r.dynamic_factor), markup: Number(r.dynamic_markup) } : null,
    exportPrice: Number(r.export_price),
    fixedMonthlyFee: Number(r.fixed_monthly_fee),
    capacity:
      r.capacity_kind === 'be'
        ? { kind: 'be', pricePerKwYear: Number(r.capacity_price_kw_year), minimumKw: Number(r.capacity_min_kw) }
        : r.capacity_kind === 'no'
          ? { kind: 'no', steps: steps.filter((s) => s.tariff_id === r.id).map((s) => ({ fromKw: Number(s.from_kw), monthlyPrice: Number(s.monthly_price) })) }
          : { kind: 'none' },
  }));
}

async function requireDevice(db: Kysely<Database> | Transaction<Database>, deviceId: number): Promise<void> {
  const d = await db.selectFrom('device').select('id').where('id', '=', deviceId).executeTakeFirst();
  if (!d) throw new ApiError('not_found', `no device ${deviceId}`);
}

export async function listTariffs(db: Kysely<Database>, deviceId: number): Promise<TariffView[]> {
  await requireDevice(db, deviceId);
  return toViews(db, await selectRows(db, deviceId));
}

/** Creates or replaces the version that applies from `validFrom` (local date of the device). */
export async function putTariff(db: Kysely<Database>, deviceId: number, validFrom: string, input: TariffInput): Promise<TariffView> {
  checkDate(validFrom);
  checkInput(input);
  const cap = input.capacity ?? { kind: 'none' };
  const now = new Date();
  const values = {
    currency: (input.currency ?? 'EUR').toUpperCase(),
    import_day_price: input.importPrices.day,
    import_night_price: input.importPrices.night ?? null,
    import_weekend_price: input.importPrices.weekend ?? null,
    day_start_hour: input.dayHours?.start ?? 7,
    day_end_hour: input.dayHours?.end ?? 22,
    price_series: input.dynamic?.series ?? null,
    dynamic_factor: input.dynamic?.factor ?? 1,
    dynamic_markup: input.dynamic?.markup ?? 0,
    export_price: input.exportPrice ?? 0,
    fixed_monthly_fee: input.fixedMonthlyFee ?? 0,
    capacity_kind: cap.kind,
    capacity_price_kw_year: cap.kind === 'be' ? cap.pricePerKwYear : null,
    capacity_min_kw: cap.kind === 'be' ? (cap.minimumKw ?? 2.5) : 2.5,
    updated_at: now,
  };
  return db.transaction().execute(async (trx) => {
    await requireDevice(trx, deviceId);
    const existing = await trx.selectFrom('tariff').select('id').where('device_id', '=', deviceId).where('valid_from', '=', validFrom).forUpdate().executeTakeFirst();
    let id: number;
    if (existing) {
      id = existing.id;
      await trx.updateTable('tariff').set(values).where('id', '=', id).execute();
      await trx.deleteFrom('tariff_capacity_step').where('tariff_id', '=', id).execute();
    } else {
      const r = await trx.insertInto('tariff').values({ ...values, device_id: deviceId, valid_from: validFrom, created_at: now }).executeTakeFirstOrThrow();
      id = Number(r.insertId);
    }
    if (cap.kind === 'no') {
      await trx.insertInto('tariff_capacity_step').values(cap.steps.map((s) => ({ tariff_id: id, from_kw: s.fromKw, monthly_price: s.monthlyPrice }))).execute();
    }
    const [view] = await toViews(trx, await selectRows(trx, deviceId, validFrom));
    return view!;
  });
}

export async function deleteTariff(db: Kysely<Database>, deviceId: number, validFrom: string): Promise<void> {
  checkDate(validFrom);
  await requireDevice(db, deviceId);
  const r = await db.deleteFrom('tariff').where('device_id', '=', deviceId).where('valid_from', '=', validFrom).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new ApiError('not_found', `device ${deviceId} has no tariff from ${validFrom}`);
}
