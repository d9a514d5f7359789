import type { RunStats } from './run-stats.ts';

/** A one-line live status, redrawn in place; only when the stream is a terminal. */
export function startProgressLine(stats: RunStats, stream: NodeJS.WriteStream = process.stderr, everyMs = 250): () => void {
  if (!stream.isTTY) return () => {};
  const draw = () => {
    const rejected = stats.rejectedTotal;
    const line =
      `devices ${stats.devices}  readings ${stats.readings}  sent ${stats.sent}  ack ${stats.acknowledged}` +
      `  dup ${stats.duplicate}  rejected ${rejected}  retried ${stats.retried}  pending ${stats.pending}` +
      (stats.overflow ? `  overflow ${stats.overflow}` : '');
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 120) - 1)}`);
  };
  const timer = setInterval(draw, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    draw();
    stream.write('\n');
  };
}
