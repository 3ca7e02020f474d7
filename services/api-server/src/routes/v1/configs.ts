import { ApiErrorBody, ConfigsAvailableResponse, ValidateConfigBody, ValidateConfigResponse } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteOptions } from '../../context.js';
import { listConfigs, toValidateResponse } from '../../read-model/config-catalog.js';
import { validateStrategyYaml, yamlSizeProblem } from '../../read-model/config-validator.js';
import { yamlTooLarge } from '../../errors.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 413: ApiErrorBody, 415: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['configs'];
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

export const configRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  // raw YAML bodies are accepted as text, up to the app's body limit; the YAML limit is checked below
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, { yaml: body }));

  app.get(
    '/configs/available',
    { schema: { tags, operationId: 'listConfigs', summary: 'Strategy configs in config/, each validated', response: { 200: ConfigsAvailableResponse, ...errors } } },
    async () => ({ items: await listConfigs(ctx.configDir) }),
  );

  app.post(
    '/configs/validate',
    {
      schema: {
        tags,
        operationId: 'validateConfig', summary: 'Validate a strategy config: every problem with its line and column',
        description: 'Send `{"yaml": "..."}` as JSON, or the YAML itself with Content-Type application/yaml.',
        body: ValidateConfigBody,
        response: { 200: ValidateConfigResponse, ...errors },
      },
    },
    async (request) => {
      const tooLarge = yamlSizeProblem(Buffer.byteLength(request.body.yaml));
      if (tooLarge !== null) throw yamlTooLarge(tooLarge);
      return toValidateResponse(validateStrategyYaml(request.body.yaml, 'request.yaml'));
    },
  );
};

