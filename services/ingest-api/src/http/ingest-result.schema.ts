/** JSON schema of IngestResult, used by every ingest route's 201 response. */
export const ingestResultSchema = {
  $id: 'IngestResult',
  type: 'object',
  required: ['accepted', 'merged', 'duplicates', 'rejected', 'sendIntervalSeconds', 'results'],
  properties: {
    accepted: { type: 'integer', description: 'readings stored as a new row by this request' },
    merged: {
      type: 'integer',
      description: 'readings whose device and meter time were already stored and that filled columns still empty there (e.g. HAN list 3 after list 2 of the same second)',
    },
    duplicates: { type: 'integer', description: 'readings already stored for this device and meter time that added nothing (not an error)' },
    rejected: { type: 'integer', description: 'readings refused; see results[].code' },
    sendIntervalSeconds: { type: 'integer', minimum: 1, description: "the device's configured send interval; apply it at once" },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'status', 'meterTime'],
        properties: {
          index: { type: 'integer' },
          status: {
            type: 'string',
            enum: ['stored', 'merged', 'duplicate', 'rejected'],
            description: 'merged: the stored row gained the values it lacked; a stored value is never overwritten',
          },
          meterTime: { type: ['string', 'null'], format: 'date-time' },
          code: {
            type: 'string',
            enum: ['invalid_time', 'implausible_time', 'future_time', 'out_of_range', 'unstorable', 'meter_clock_unset'],
            description:
              'why a reading was rejected; on a stored one, meter_clock_unset: the clock it carried is unset or not a date, so it is stored at its receive time (message names the clock sent)',
          },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;
