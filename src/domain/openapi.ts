// The automation API's contract: every /api/v1 operation with its permission, request body and
// answers, as zod schemas. The OpenAPI 3.1 document served at /api/v1/openapi.json is generated
// from them, and the tests check the running API against the same schemas, so the document
// cannot drift from the implementation unnoticed.
import { z } from 'zod';
import project from '../../package.json' with { type: 'json' };
import { AUDIENCE_OPERATIONS } from './openapi-audience-operations.ts';
import { OPERATIONS as CORE_OPERATIONS, type Operation } from './openapi-operations.ts';
import { ErrorBody } from './openapi-schemas.ts';

export { ErrorBody, type Operation };

/** Every documented operation, in the order the document and the admin's API page list them. */
export const OPERATIONS: Operation[] = [...CORE_OPERATIONS, ...AUDIENCE_OPERATIONS];

const ERRORS: Record<number, string> = {
  400: 'The request is invalid; `error.details` says what is wrong with each field.',
  401: 'No token, or an unknown or revoked one.',
  403: "The token's scope or its user's role does not allow this.",
  404: 'Nothing with that id.',
  409: 'The change conflicts with the current state.',
  415: 'The body is not JSON: send `Content-Type: application/json` (UTF-8).',
};

type JsonSchema = Record<string, unknown>;

/**
 * Converts zod schemas to JSON Schema for one document. Named schemas (those with a `.meta({ id })`)
 * come out of zod as `$defs` of each schema, referred to as `#/$defs/X`; OpenAPI resolves such a
 * reference from the document root, so they are moved to `components/schemas` and the references
 * re-pointed. One name stands for one shape: a second, different shape under a taken name (say a
 * request's view of it) gets a suffix.
 */
class SchemaSet {
  readonly components: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' });
    const { $defs = {}, $schema: _dialect, ...root } = generated as JsonSchema & { $defs?: Record<string, JsonSchema> };
    const renamed = new Map<string, string>();
    for (const [name, def] of Object.entries($defs)) renamed.set(name, this.#place(name, def, io));
    // Definitions may refer to each other: re-point inside them too, once all names are known.
    for (const [name, placed] of renamed)
      this.components[placed] = this.#repoint(this.components[placed] ?? $defs[name], renamed);
    return this.#repoint(root, renamed);
  }

  #place(name: string, def: JsonSchema, io: 'input' | 'output'): string {
    const taken = this.components[name];
    // Placed schemas are already re-pointed; compare like with like (a def naming another def).
    if (!taken || JSON.stringify(taken) === JSON.stringify(this.#repoint(def, new Map()))) {
      this.components[name] ??= def;
      return name;
    }
    const alternative = io === 'input' ? `${name}Input` : `${name}Output`;
    this.components[alternative] ??= def;
    return alternative;
  }

  #repoint<T>(value: T, renamed: Map<string, string>): T {
    return JSON.parse(
      JSON.stringify(value).replace(
        /"#\/\$defs\/([^"]+)"/g,
        (_m, name: string) => `"#/components/schemas/${renamed.get(name) ?? name}"`,
      ),
    ) as T;
  }
}

/** The OpenAPI 3.1 document of /api/v1. */
export function openApiDocument(baseUrl: string) {
  const schemas = new SchemaSet();
  const errorSchema = schemas.convert(ErrorBody, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const pathIds = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const parameters = [
      ...pathIds.map((name) => ({ name, in: 'path', required: true, schema: { type: 'integer', minimum: 1 } })),
      ...(op.list
        ? [
            { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 } },
            { name: 'per_page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
          ]
        : []),
    ];
    const errors = [
      401,
      ...(op.permission ? [403] : []),
      ...(pathIds.length ? [404] : []),
      ...(op.body || op.list ? [400] : []),
      ...(op.method !== 'get' ? [409] : []),
      ...(op.body ? [415] : []),
    ];
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      operationId: op.id,
      summary: op.summary,
      tags: [op.tag],
      ...(op.permission
        ? { description: `Needs the \`${op.permission}\` permission (token scope and user role).` }
        : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemas.convert(op.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [op.success.status]: op.success.schema
          ? {
              description: 'Success',
              content: { 'application/json': { schema: schemas.convert(op.success.schema, 'output') } },
            }
          : { description: 'Done; no body' },
        ...Object.fromEntries(
          [...new Set(errors)].map((status) => [
            status,
            {
              description: ERRORS[status],
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          ]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Candor automation API',
      version: '1',
      // The project's own license (an SPDX identifier), read from package.json.
      license: { name: project.license, identifier: project.license },
      description:
        "Everything support staff do by hand, for scripts and monitoring. Send `Authorization: Bearer <token>`; tokens have a scope (read, support or admin) that never exceeds their user's role.",
    },
    servers: [{ url: `${baseUrl}/api/v1` }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      // ErrorBody is named (`Error`), so converting it placed it among the schemas already.
      schemas: { ...schemas.components, ...('$ref' in errorSchema ? {} : { Error: errorSchema }) },
    },
    paths,
  };
}
