import type { Reading } from '@sem/meter-protocol';

/** Our JSON format (POST /api/v1/readings), as a device that decoded its telegram or frame itself sends it. */
export function jsonBody(r: Reading): Record<string, unknown> {
  return {
    ...(r.meterTime ? { time: r.meterTime.toISOString() } : {}),
    ...(r.meterId ? { meterId: r.meterId } : {}),
    ...r.values,
    mbus: r.mbus
      .filter((m) => m.value !== null)
      .map((m) => ({
        channel: m.channel,
        value: m.value,
        ...(m.unit ? { unit: m.unit } : {}),
        ...(m.deviceType !== null ? { deviceType: m.deviceType } : {}),
        ...(m.equipmentId ? { equipmentId: m.equipmentId } : {}),
        ...(m.capturedAt ? { capturedAt: m.capturedAt.toISOString() } : {}),
      })),
  };
}
