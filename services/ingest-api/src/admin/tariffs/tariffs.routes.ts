import type { FastifyInstance } from 'fastify';
import { ApiError, errorResponses } from '../../errors/api-error.ts';
import { bytesToText } from '@sem/ingest';
import { listPrices, upsertPrices } from './energy-prices.repository.ts';
import { parsePriceFile, type PriceFileOptions } from './price-file.ts';
import { PriceFileError } from './price-point.ts';
import {
  priceImportQuery,
  priceImportSummarySchema,
  priceListQuery,
  priceListSchema,
  seriesParams,
  tariffInputSchema,
  tariffParams,
  tariffViewSchema,
} from './tariffs.schemas.ts';
import { deleteTariff, listTariffs, putTariff, type TariffInput } from './tariffs.service.ts';

const security = [{ adminBearer: [] }];
const tags = ['admin', 'tariffs'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,5}$' } } } as const;
type TariffParams = { Params: { id: string; validFrom: string } };
const MAX_PRICE_ROWS = 10_000;

/** Price files as text: CSV or XML. */
async function priceFileRoutes(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  for (const type of ['text/csv', 'text/plain', 'application/xml', 'text/xml']) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_req, body, done) => done(null, bytesToText(body as Buffer)));
  }
  app.post<{ Params: { series: string }; Querystring: PriceFileOptions; Body: string }>('/api/v1/admin/prices/:series', {
    schema: {
      summary: 'Import dynamic prices into a series: a time,price CSV, ENTSO-E day-ahead XML or its CSV export (importing twice changes nothing)',
      tags,
      security,
      params: seriesParams,
      querystring: priceImportQuery,
      body: { type: 'string', minLength: 1 },
      response: { 200: priceImportSummarySchema, ...errorResponses(400, 401, 413, 415, 503) },
    },
  }, async (request) => {
    let points;
    try {
      points = parsePriceFile(request.body, request.query);
    } catch (err) {
      if (err instanceof PriceFileError) throw new ApiError('bad_request', err.message);
      throw err;
    }
    return upsertPrices(app.db, request.params.series, points);
  });
}

/** Tariff versions per device and dynamic price series, behind the admin token (registered by adminRoutes). */
export async function tariffRoutes(app: FastifyInstance): Promise<void> {
  app.addSchema(tariffViewSchema);

  app.get<{ Params: { id: string } }>('/api/v1/admin/devices/:id/tariffs', {
    schema: { summary: "A device's tariff versions, oldest first", tags, security, params: idParams, response: { 200: { type: 'array', items: { $ref: 'TariffView#' } }, ...errorResponses(400, 401, 404, 503) } },
  }, async (request) => listTariffs(app.db, Number(request.params.id)));

  app.put<TariffParams & { Body: TariffInput }>('/api/v1/admin/devices/:id/tariffs/:validFrom', {
    schema: {
      summary: 'Set the tariff that applies from a local date (creates or replaces that version)',
      tags,
      security,
      params: tariffParams,
      body: tariffInputSchema,
      response: { 200: { $ref: 'TariffView#' }, ...errorResponses(400, 401, 404, 503) },
    },
  }, async (request) => putTariff(app.db, Number(request.params.id), request.params.validFrom, request.body));

  app.delete<TariffParams>('/api/v1/admin/devices/:id/tariffs/:validFrom', {
    schema: { summary: 'Remove one tariff version', tags, security, params: tariffParams, response: { 204: { type: 'null' }, ...errorResponses(400, 401, 404, 503) } },
  }, async (request, reply) => {
    await deleteTariff(app.db, Number(request.params.id), request.params.validFrom);
    return reply.code(204).send();
  });

  app.get<{ Params: { series: string }; Querystring: { from: string; to: string } }>('/api/v1/admin/prices/:series', {
    schema: {
      summary: `Prices of a series per quarter-hour in [from, to), at most ${MAX_PRICE_ROWS}`,
      tags,
      security,
      params: seriesParams,
      querystring: priceListQuery,
      response: { 200: priceListSchema, ...errorResponses(400, 401, 503) },
    },
  }, async (request) => {
    const from = Date.parse(request.query.from);
    const to = Date.parse(request.query.to);
    if (!(from < to)) throw new ApiError('bad_request', 'from must be before to');
    return listPrices(app.db, request.params.series, from, to, MAX_PRICE_ROWS);
  });

  await app.register(priceFileRoutes);
}
