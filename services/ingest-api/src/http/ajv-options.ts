/**
 * The Ajv options every JSON body is checked with: no stripping, no coercion, first error only.
 * buildApp gives them to Fastify; mqtt-ingest compiles the same schemas with them.
 */
export const AJV_CUSTOM_OPTIONS = { removeAdditional: false, coerceTypes: false, allErrors: false } as const;
