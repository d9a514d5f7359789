/** What the engine logs through: pino's logger (and so Fastify's) fits it. */
export interface IngestLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
