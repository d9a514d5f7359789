import { crc16Arc } from '@sem/meter-protocol';
import { p1Timestamp } from '../time/zone-clock.ts';
import { formatLike, shapeOf, type NumberShape } from './register-format.ts';

/**
 * Turns captured P1 telegrams into the output of a live meter: the clock reads now (S/W from
 * the zone), energy registers grow by power × time on the active tariff, gas and water grow at
 * a steady rate, and the CRC is recomputed. Captures are cycled for their power values; the
 * registers are the replayer's own, so cycling never makes them go back.
 */
export interface P1ReplayOptions {
  /** IANA zone of the meter (Belgium and the Netherlands: Europe/Brussels, Europe/Amsterdam). */
  zone: string;
  /** Gas consumption while replaying, m³ per hour. */
  gasM3PerHour: number;
  /** Water consumption while replaying, m³ per hour. */
  waterM3PerHour: number;
  /** Heat (GJ) per hour on heat channels. */
  heatGjPerHour: number;
  /** Power and current swing by up to ± this fraction over the day, so a fleet does not draw flat lines. */
  vary: number;
  /** Phase of that swing; each device gets its own. */
  phase: number;
}

export const DEFAULT_P1_REPLAY: P1ReplayOptions = {
  zone: 'Europe/Brussels',
  gasM3PerHour: 0.15,
  waterM3PerHour: 0.012,
  heatGjPerHour: 0.002,
  vary: 0,
  phase: 0,
};

// Instantaneous lines scaled by the swing: total and per-phase power (kW or W), per-phase current (A).
const SCALED = /^1-0:(1|2|21|41|61|22|42|62|31|51|71)\.7\.0$/;

interface Register {
  value: number;
  shape: NumberShape;
}

// OBIS (with an optional *255 / .255 suffix some meters add) followed by its value groups.
const LINE = /^(\d+-\d+:\d+\.\d+\.\d+)(\*255|\.255)?(\(.*)$/;
const ENERGY = /^1-0:[12]\.8\.[0-2]$/;
const TIMESTAMP = /^\d{12}[SWsw]?$/;
const SENTINEL_TIME = /^(632525252525|000101|700101|000000)/;
const HOUR_MS = 3_600_000;

function groups(rest: string): string[] {
  const out: string[] = [];
  const re = /\(([^()]*)\)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest))) out.push(m[1]!);
  return out;
}

/** Value of a `number*unit` group in kW / kWh (W, Wh scaled). */
function toKilo(text: string): number | undefined {
  const m = /^(-?\d+(?:\.\d+)?)\*(k?W)h?$/.exec(text);
  if (!m) return undefined;
  return m[2] === 'W' ? Number(m[1]) / 1000 : Number(m[1]);
}

export class P1Replayer {
  private readonly templates: readonly string[];
  private readonly options: P1ReplayOptions;
  private readonly registers = new Map<string, Register>();
  private readonly mbusBase = new Map<string, Register>();
  private index = 0;
  private lastMs: number | undefined;
  private startMs: number | undefined;

  constructor(templates: readonly string[], options: Partial<P1ReplayOptions> = {}) {
    if (templates.length === 0) throw new RangeError('no P1 telegram to replay');
    this.templates = templates;
    this.options = { ...DEFAULT_P1_REPLAY, ...options };
  }

  /** The next telegram, as a live meter would send it at `atMs`. */
  next(atMs: number): string {
    const template = this.templates[this.index]!;
    this.index = (this.index + 1) % this.templates.length;
    this.startMs ??= atMs;
    const dtHours = this.lastMs === undefined ? 0 : Math.max(0, atMs - this.lastMs) / HOUR_MS;
    this.lastMs = atMs;
    return this.render(template, atMs, dtHours);
  }

  private render(template: string, atMs: number, dtHours: number): string {
    const eol = template.includes('\r\n') ? '\r\n' : '\n';
    const bang = template.lastIndexOf('!');
    if (bang < 0) throw new RangeError('P1 telegram without "!"');
    const body = template.slice(0, bang);
    const tail = template.slice(bang + 1);
    const lines = body.split(eol);

    const swing = this.swing(atMs);
    // First pass: what the meter says right now (tariff, power, M-Bus device types, version).
    let tariff = 1;
    let importKw = 0;
    let exportKw = 0;
    let hourlyGas = false;
    const mbusType = new Map<string, number>();
    for (const line of lines) {
      const m = LINE.exec(line);
      if (!m) continue;
      const [obis, g] = [m[1]!, groups(m[3]!)];
      if (obis === '0-0:96.14.0') tariff = Number(g[0]) === 2 ? 2 : 1;
      else if (obis === '1-0:1.7.0') importKw = (toKilo(g[0] ?? '') ?? 0) * swing;
      else if (obis === '1-0:2.7.0') exportKw = (toKilo(g[0] ?? '') ?? 0) * swing;
      else if (obis === '1-3:0.2.8') hourlyGas = /^4/.test(g[0] ?? '');
      else if (/^0-\d:24\.1\.0$/.test(obis)) mbusType.set(obis.slice(0, 3), Number(g[0]));
    }

    // Second pass: rewrite clock and registers in place, keeping every other byte.
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const m = LINE.exec(line);
      if (!m) {
        out.push(line);
        continue;
      }
      const obis = m[1]!;
      const suffix = m[2] ?? '';
      const rest = m[3]!;
      if (obis === '0-0:1.0.0') {
        out.push(`${obis}${suffix}(${p1Timestamp(this.options.zone, new Date(atMs))})${rest.replace(/^\([^)]*\)/, '')}`);
      } else if (swing !== 1 && SCALED.test(obis)) {
        out.push(`${obis}${suffix}${rest.replace(/^\((\d+(?:\.\d+)?)(\*[^)]*)?\)/, (_all, v: string, unit = '') => `(${formatLike(Number(v) * swing, shapeOf(v))}${unit})`)}`);
      } else if (ENERGY.test(obis)) {
        out.push(`${obis}${suffix}${this.energyGroup(obis, rest, tariff, importKw, exportKw, dtHours)}`);
      } else if (/^0-\d:24\.2\.\d$/.test(obis)) {
        out.push(`${obis}${suffix}${this.mbusGroups(obis, rest, mbusType.get(obis.slice(0, 3)), atMs, hourlyGas)}`);
      } else if (/^0-\d:24\.3\.0$/.test(obis) && /^\(\d+(\.\d+)?\)$/.test(lines[i + 1] ?? '')) {
        // DSMR 2.2 gas profile: capture time in the first group, the value alone on the next line.
        const channel = obis.slice(0, 3);
        const g = groups(rest);
        const captureMs = Math.floor(atMs / HOUR_MS) * HOUR_MS;
        const ts = g[0] && !SENTINEL_TIME.test(g[0]) ? p1Timestamp(this.options.zone, new Date(captureMs)).slice(0, 12) : g[0];
        out.push(`${obis}${suffix}(${ts})${rest.replace(/^\([^)]*\)/, '')}`);
        const valueLine = lines[++i]!;
        out.push(`(${this.mbusValue(`${channel}:profile`, valueLine.slice(1, -1), mbusType.get(channel), captureMs)})`);
      } else {
        out.push(line);
      }
    }
    const head = out.join(eol) + '!';
    if (/^[0-9A-Fa-f]{3,4}/.test(tail)) {
      const crc = crc16Arc(Buffer.from(head, 'latin1')).toString(16).toUpperCase().padStart(4, '0');
      return head + crc + tail.replace(/^[0-9A-Fa-f]{3,4}/, '');
    }
    return head + tail;
  }

  /** 1 ± vary: a slow daily wave and a faster one, smooth so that power looks like a household's. */
  private swing(atMs: number): number {
    const { vary, phase } = this.options;
    if (vary <= 0) return 1;
    const day = (2 * Math.PI * atMs) / (24 * HOUR_MS);
    const wave = 0.6 * Math.sin(day + phase) + 0.4 * Math.sin(day * 53 + phase * 7);
    return Math.max(0, 1 + vary * wave);
  }

  private energyGroup(obis: string, rest: string, tariff: number, importKw: number, exportKw: number, dtHours: number): string {
    const m = /^\((\d+(?:\.\d+)?)\*(k?Wh)\)(.*)$/.exec(rest);
    if (!m) return rest;
    const unitScale = m[2] === 'Wh' ? 1000 : 1;
    let reg = this.registers.get(obis);
    if (!reg) {
      reg = { value: Number(m[1]), shape: shapeOf(m[1]!) };
      this.registers.set(obis, reg);
    }
    const isImport = obis.startsWith('1-0:1.8');
    const kw = isImport ? importKw : exportKw;
    const t = obis.at(-1);
    // Totals (x.8.0) always count; tariff registers only while their tariff is active.
    if (t === '0' || Number(t) === tariff) reg.value += kw * dtHours * unitScale;
    return `(${formatLike(reg.value, reg.shape)}*${m[2]})${m[3]}`;
  }

  private mbusGroups(obis: string, rest: string, type: number | undefined, atMs: number, hourly: boolean): string {
    const m = /^\((\d{12}[SWsw]?)\)\((\d+(?:\.\d+)?)(\*[^)]*)?\)(.*)$/.exec(rest);
    if (!m || SENTINEL_TIME.test(m[1]!)) return rest;
    // Gas meters report every 5 minutes (DSMR 5, e-MUCS), DSMR 4 meters hourly.
    const stepMs = hourly ? HOUR_MS : 5 * 60_000;
    const captureMs = Math.floor(atMs / stepMs) * stepMs;
    const flagged = p1Timestamp(this.options.zone, new Date(captureMs));
    const ts = TIMESTAMP.test(m[1]!) && m[1]!.length === 12 ? flagged.slice(0, 12) : flagged;
    const caseFixed = /[sw]$/.test(m[1]!) ? ts.toLowerCase() : ts;
    return `(${caseFixed})(${this.mbusValue(obis, m[2]!, type, captureMs)}${m[3] ?? ''})${m[4]}`;
  }

  /** M-Bus registers grow linearly from the first value seen, by device type. */
  private mbusValue(key: string, text: string, type: number | undefined, captureMs: number): string {
    let base = this.mbusBase.get(key);
    if (!base) {
      base = { value: Number(text), shape: shapeOf(text) };
      this.mbusBase.set(key, base);
    }
    const rate = type === 7 ? this.options.waterM3PerHour : type === 4 ? this.options.heatGjPerHour : this.options.gasM3PerHour;
    const hours = Math.max(0, captureMs - Math.floor((this.startMs ?? captureMs) / 300_000) * 300_000) / HOUR_MS;
    return formatLike(base.value + rate * hours, base.shape);
  }
}
