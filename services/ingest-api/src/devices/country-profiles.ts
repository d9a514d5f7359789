/**
 * Country profiles for tariff naming. The meter's tariff 1/2 (1-0:1.8.1 / 1.8.2, 0-0:96.14.0) mean
 * opposite things in Belgium (1 = day/high) and the Netherlands (1 = low). Nordic and Austrian HAN
 * meters report a single register, so T1/T2 rarely occur there. The meter defaults per country
 * (Kamstrup scalers) live with the decoders: packages/ingest/src/devices/meter-settings.ts.
 */

export const COUNTRY_PROFILES = {
  BE: { t1: 'day', t2: 'night', defaultTimeZone: 'Europe/Brussels' },
  NL: { t1: 'low', t2: 'normal', defaultTimeZone: 'Europe/Amsterdam' },
  LU: { t1: 'tariff 1', t2: 'tariff 2', defaultTimeZone: 'Europe/Luxembourg' },
  NO: { t1: 'tariff 1', t2: 'tariff 2', defaultTimeZone: 'Europe/Oslo' },
  SE: { t1: 'tariff 1', t2: 'tariff 2', defaultTimeZone: 'Europe/Stockholm' },
  DK: { t1: 'tariff 1', t2: 'tariff 2', defaultTimeZone: 'Europe/Copenhagen' },
  FI: { t1: 'tariff 1', t2: 'tariff 2', defaultTimeZone: 'Europe/Helsinki' },
  AT: { t1: 'tariff 1', t2: 'tariff 2', defaultTimeZone: 'Europe/Vienna' },
  DE: { t1: 'tariff 1', t2: 'tariff 2', defaultTimeZone: 'Europe/Berlin' },
  HU: { t1: 'tariff 1', t2: 'tariff 2', defaultTimeZone: 'Europe/Budapest' },
  IE: { t1: 'tariff 1', t2: 'tariff 2', defaultTimeZone: 'Europe/Dublin' },
  CH: { t1: 'high', t2: 'low', defaultTimeZone: 'Europe/Zurich' },
} as const;

export type CountryCode = keyof typeof COUNTRY_PROFILES;
export const COUNTRY_CODES = Object.keys(COUNTRY_PROFILES) as CountryCode[];

export function isCountryCode(code: string): code is CountryCode {
  return Object.hasOwn(COUNTRY_PROFILES, code);
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}

/** "60", "60s", "5m" -> seconds; the SEM/AMS original allowed 1-60 minutes, we allow 1 s to 60 min. */
export function parseSendInterval(text: string): number | undefined {
  const m = /^(\d{1,4})\s*(s|m|min)?$/.exec(text.trim());
  if (!m) return undefined;
  const seconds = Number(m[1]) * (m[2] && m[2] !== 's' ? 60 : 1);
  return seconds >= 1 && seconds <= 3600 ? seconds : undefined;
}
