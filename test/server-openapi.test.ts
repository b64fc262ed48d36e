/**
 * The OpenAPI document: generated from the zod contract, valid OpenAPI 3.1 by an
 * independent validator, and complete (every route, every documented error code).
 */
import { validate, compileErrors } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { buildOpenApi, documentedCodes, routes, statusOf, type RouteSpec } from '../server/index.ts';

const doc = buildOpenApi({ version: '0.0.0-test' }) as any;

describe('the OpenAPI document', () => {
  it('passes an independent OpenAPI 3.1 validator', async () => {
    const result = await validate(structuredClone(doc));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('has every route with its parameters, body, success response and error codes', () => {
    for (const spec of Object.values(routes) as RouteSpec[]) {
      const op = doc.paths[spec.path]?.[spec.method];
      expect(op, `${spec.method} ${spec.path}`).toBeDefined();
      expect(op.operationId).toBe(spec.id);
      expect(op.responses[String(spec.status)]).toBeDefined();
      for (const code of documentedCodes(spec)) {
        expect(op.responses[String(statusOf(code))]?.description, `${spec.id}: ${code}`).toContain(code);
      }
      const names = (op.parameters ?? []).map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
      for (const name of Object.keys(spec.params?.shape ?? {})) expect(names).toContain(`path:${name}`);
      for (const name of Object.keys(spec.query?.shape ?? {})) expect(names).toContain(`query:${name}`);
      if (spec.body) expect(op.requestBody.content['application/json'].schema).toBeDefined();
      expect(op.security === undefined).toBe(!spec.public);
    }
    expect(doc.paths['/api/agent/progress'].get['x-websocket']).toBeDefined();
  });

  it('derives schemas from zod, with references that resolve', () => {
    const schemas = doc.components.schemas;
    expect(schemas.OrchestrateBody).toMatchObject({ type: 'object', required: ['request'], additionalProperties: false });
    expect(schemas.RunEvent.oneOf ?? schemas.RunEvent.anyOf).toHaveLength(12);
    expect(schemas.ErrorBody.properties.error.required).toEqual(expect.arrayContaining(['code', 'message', 'details', 'requestId']));
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const ref of new Set(refs)) expect(schemas[ref.slice(22, -1)], ref).toBeDefined();
    const limit = doc.paths['/api/agent/runs'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } });
  });
});
