import closeWithGrace from 'close-with-grace';

export interface ShutdownLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * On SIGTERM/SIGINT, an uncaught exception or an unhandled rejection: log it, run `close` (drain and
 * release), exit 0 (1 after an error). A close that takes longer than `graceMs` is cut short: the process
 * exits anyway (the readings not yet committed were not acknowledged, so their senders retry).
 */
export function onShutdown(log: ShutdownLog, close: () => Promise<void>, graceMs = 10_000): void {
  closeWithGrace(
    {
      delay: graceMs,
      logger: { error: (message: unknown) => log.error({ detail: String(message) }, 'shutdown') },
      onTimeout: (delay) => log.error({ graceMs: delay }, 'shutdown took too long; exiting without finishing'),
    },
    async ({ signal, err }) => {
      if (err) log.error({ err }, 'uncaught error; shutting down');
      else log.info({ signal }, 'shutting down');
      await close();
    },
  );
}
