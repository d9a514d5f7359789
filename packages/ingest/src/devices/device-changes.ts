/** Listeners told, in this process, that a device's keys or settings changed (admin API, CLI functions, tests). */
const listeners = new Set<(deviceId: number) => void>();

/** Subscribes; returns the unsubscribe function. */
export function onDeviceChanged(listener: (deviceId: number) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Call after a device's keys or settings were changed and committed. */
export function deviceChanged(deviceId: number): void {
  for (const l of listeners) l(deviceId);
}
