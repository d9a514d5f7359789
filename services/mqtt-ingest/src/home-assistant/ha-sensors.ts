import type { ReadingValueColumn } from '@sem/db';

/**
 * The sensors announced to Home Assistant, with what its Energy dashboard needs: energy registers
 * `total_increasing` in kWh, gas `total_increasing` in m³, power in W, voltage in V, current in A.
 * `column` is the reading column (stored at `scale` units per displayed unit); gas comes from the
 * newest M-Bus value of a gas meter (device type 3).
 */
export interface HaSensor {
  readonly key: string;
  readonly name: string;
  readonly source: { readonly column: ReadingValueColumn; readonly scale: number } | 'gas';
  readonly deviceClass: 'energy' | 'gas' | 'power' | 'voltage' | 'current';
  readonly stateClass: 'total_increasing' | 'measurement';
  readonly unit: 'kWh' | 'm³' | 'W' | 'V' | 'A';
}

const energy = (key: string, name: string, column: ReadingValueColumn): HaSensor =>
  ({ key, name, source: { column, scale: 1000 }, deviceClass: 'energy', stateClass: 'total_increasing', unit: 'kWh' });
const gauge = (key: string, name: string, column: ReadingValueColumn, scale: number, deviceClass: 'power' | 'voltage' | 'current', unit: 'W' | 'V' | 'A'): HaSensor =>
  ({ key, name, source: { column, scale }, deviceClass, stateClass: 'measurement', unit });

export const HA_SENSORS: readonly HaSensor[] = [
  energy('energy_import', 'Energy import', 'energy_import_wh'),
  energy('energy_import_t1', 'Energy import tariff 1', 'energy_import_t1_wh'),
  energy('energy_import_t2', 'Energy import tariff 2', 'energy_import_t2_wh'),
  energy('energy_export', 'Energy export', 'energy_export_wh'),
  energy('energy_export_t1', 'Energy export tariff 1', 'energy_export_t1_wh'),
  energy('energy_export_t2', 'Energy export tariff 2', 'energy_export_t2_wh'),
  gauge('power_import', 'Power import', 'power_import_w', 1, 'power', 'W'),
  gauge('power_export', 'Power export', 'power_export_w', 1, 'power', 'W'),
  gauge('voltage_l1', 'Voltage L1', 'voltage_l1_dv', 10, 'voltage', 'V'),
  gauge('voltage_l2', 'Voltage L2', 'voltage_l2_dv', 10, 'voltage', 'V'),
  gauge('voltage_l3', 'Voltage L3', 'voltage_l3_dv', 10, 'voltage', 'V'),
  gauge('current_l1', 'Current L1', 'current_l1_ca', 100, 'current', 'A'),
  gauge('current_l2', 'Current L2', 'current_l2_ca', 100, 'current', 'A'),
  gauge('current_l3', 'Current L3', 'current_l3_ca', 100, 'current', 'A'),
  { key: 'gas', name: 'Gas', source: 'gas', deviceClass: 'gas', stateClass: 'total_increasing', unit: 'm³' },
];

/** The newest stored values of one device: reading columns (stored integers) and the gas register. */
export interface HaLatest {
  readonly meterTime: Date;
  readonly columns: Readonly<Partial<Record<ReadingValueColumn, number | null>>>;
  /** DECIMAL text as stored, m³. */
  readonly gasM3: string | null;
}

/** The state message: each present sensor's value in its unit, and the meter time. */
export function haState(latest: HaLatest): Record<string, number | string> {
  const state: Record<string, number | string> = { time: latest.meterTime.toISOString() };
  for (const s of HA_SENSORS) {
    if (s.source === 'gas') {
      if (latest.gasM3 !== null) state[s.key] = Number(latest.gasM3);
    } else {
      const stored = latest.columns[s.source.column];
      if (stored !== null && stored !== undefined) state[s.key] = stored / s.source.scale;
    }
  }
  return state;
}

export interface HaDevice {
  readonly id: number;
  readonly name: string;
}

/** Where a device's state goes; the sem-ingest account may publish there (deploy/mosquitto/acl). */
export function haStateTopic(device: HaDevice): string {
  return `sem/${device.name}/state`;
}

/** One retained discovery message per sensor present in `state`, under `<prefix>/sensor/sem_<id>/<key>/config`. */
export function haDiscovery(prefix: string, device: HaDevice, state: Record<string, unknown>): { topic: string; payload: string }[] {
  const node = `sem_${device.id}`;
  return HA_SENSORS.filter((s) => s.key in state).map((s) => ({
    topic: `${prefix}/sensor/${node}/${s.key}/config`,
    payload: JSON.stringify({
      name: s.name,
      unique_id: `${node}_${s.key}`,
      state_topic: haStateTopic(device),
      value_template: `{{ value_json.${s.key} }}`,
      device_class: s.deviceClass,
      state_class: s.stateClass,
      unit_of_measurement: s.unit,
      device: { identifiers: [node], name: device.name, manufacturer: 'SEM', model: 'smart meter reader' },
    }),
  }));
}
