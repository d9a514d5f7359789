import type { QuantityValues, Reading } from '@sem/meter-protocol';

/**
 * The SEM ESP32 firmware's form body, per docs/clients.md:
 *   api_key=%s&UL1=%.1f&UL2=%.1f&UL3=%.1f&IL1=%.1f&IL2=%.1f&IL3=%.1f&Pcl=%.3f&Pch=%.3f&Ppl=%.3f&Pph=%.3f&Pc=%.3f&Pp=%.3f&Vg=%.3f&Vw=%.3f
 * A value the meter did not send is printed as -1 (so "-1.0" / "-1.000"). Pcl is 1-0:1.8.2 and
 * Pch 1-0:1.8.1; Ppl carries 1-0:2.8.1 and Pph 1-0:2.8.2 (the firmware's swap, kept as documented).
 * The api_key is added at send time so that no key is ever written to the outbox file.
 */

/** printf("%.Nf") for the values a meter sends (finite, modest magnitude). */
export function printfFixed(value: number, decimals: number): string {
  // toFixed rounds half away from zero on the decimal text; printf rounds the binary value. Both
  // agree on meter values, which carry at most the printed number of decimals.
  const s = value.toFixed(decimals);
  return s === `-${(0).toFixed(decimals)}` ? (0).toFixed(decimals) : s;
}

/** The firmware reads gas from M-Bus channel 1 and water from channel 2, whatever is plugged in there. */
function channelValue(reading: Reading, channel: number): number | undefined {
  return reading.mbus.find((m) => m.channel === channel)?.value ?? undefined;
}

/** The body after `api_key=<key>`: starts with `&UL1=`. */
export function semFormFields(reading: Reading): string {
  const v: QuantityValues = reading.values;
  const one = (x: number | undefined) => printfFixed(x ?? -1, 1);
  const three = (x: number | undefined) => printfFixed(x ?? -1, 3);
  const kw = (w: number | undefined) => (w === undefined ? undefined : w / 1000);
  return (
    `&UL1=${one(v.voltageL1V)}&UL2=${one(v.voltageL2V)}&UL3=${one(v.voltageL3V)}` +
    `&IL1=${one(v.currentL1A)}&IL2=${one(v.currentL2A)}&IL3=${one(v.currentL3A)}` +
    `&Pcl=${three(v.energyImportT2Kwh)}&Pch=${three(v.energyImportT1Kwh)}` +
    `&Ppl=${three(v.energyExportT1Kwh)}&Pph=${three(v.energyExportT2Kwh)}` +
    `&Pc=${three(kw(v.powerImportW))}&Pp=${three(kw(v.powerExportW))}` +
    `&Vg=${three(channelValue(reading, 1))}&Vw=${three(channelValue(reading, 2))}`
  );
}

/** The whole body as the firmware sends it. */
export function semFormBody(apiKey: string, fields: string): string {
  return `api_key=${apiKey}${fields}`;
}
