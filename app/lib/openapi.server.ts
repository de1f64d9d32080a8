/**
 * The OpenAPI 3.1 document, built from the same zod schemas that validate requests and shape
 * responses, so the description cannot drift from the code (a test also checks routes ⇄ paths).
 */
import { z } from 'zod';
import { leadFieldsSchema } from '../models/lead-fields';
import { leadFilterSchema } from '../models/lead-filter';
import { eventResourceSchema, leadResourceSchema, newEventSchema } from '../models/lead-api';
import { captureBodySchema } from '../models/capture.server';
import { bulkBodySchema } from '../routes/api.v1.leads.bulk';

const schemaOf = (s: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const problemRef = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });
const errors = {
  '401': problemResponse('Missing, unknown or revoked API key'),
  '403': problemResponse('The API key lacks the required scope'),
};
const leadIdParam = { name: 'leadId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const idempotencyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Retry-safe POST: the same key and body replay the first response (Idempotent-Replayed: true).',
  schema: { type: 'string', maxLength: 255 },
};

function filterParameters() {
  const shape = leadFilterSchema.shape as Record<string, z.ZodType>;
  const params = Object.keys(shape)
    .filter((k) => k !== 'custom')
    .map((name) => ({
      name,
      in: 'query',
      required: false,
      schema: name === 'tag' ? { type: 'array', items: { type: 'string' } } : schemaOf(shape[name], 'input'),
      ...(name === 'tag' ? { style: 'form', explode: true } : {}),
      ...(name === 'stage' ? { description: 'Comma-separated stages' } : {}),
    }));
  params.push({
    name: 'cf.{key}',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'Filter on a custom field, e.g. cf.plan=pro',
  } as (typeof params)[number]);
  return params;
}

export function openApiDocument(serverUrl: string) {
  const dataOf = (ref: string) => ({ type: 'object', required: ['data'], properties: { data: { $ref: ref } } });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Leadflow API',
      version: '1.0.0',
      description: 'Leads and their history, per tenant. Authenticate with a tenant API key: `Authorization: Bearer lf_…`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key (read or write scope).' } },
      schemas: {
        Lead: schemaOf(leadResourceSchema),
        LeadInput: schemaOf(leadFieldsSchema, 'input'),
        LeadEvent: schemaOf(eventResourceSchema),
        LeadEventInput: schemaOf(newEventSchema, 'input'),
        CaptureInput: schemaOf(captureBodySchema, 'input'),
        BulkOperations: schemaOf(bulkBodySchema, 'input'),
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['message'] },
            },
          },
        },
      },
    },
    paths: {
      '/api/v1/leads': {
        get: {
          operationId: 'listLeads',
          summary: 'List leads (keyset pagination)',
          parameters: filterParameters(),
          responses: {
            '200': {
              description: 'A page of leads',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['data', 'nextCursor'],
                    properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Lead' } }, nextCursor: { type: ['string', 'null'] } },
                  },
                },
              },
            },
            '400': problemResponse('Invalid filter or cursor'),
            ...errors,
          },
        },
        post: {
          operationId: 'createLead',
          summary: 'Create a lead, or merge into the lead with the same email',
          parameters: [idempotencyHeader],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/LeadInput' } } } },
          responses: {
            '201': { description: 'Created', content: { 'application/json': { schema: dataOf('#/components/schemas/Lead') } } },
            '200': { description: 'Merged into an existing lead (see status and conflicts)', content: { 'application/json': { schema: dataOf('#/components/schemas/Lead') } } },
            '400': problemResponse('Malformed JSON'),
            '415': problemResponse('Not JSON'),
            '422': problemResponse('Validation failed, or Idempotency-Key reused with another body'),
            ...errors,
          },
        },
      },
      '/api/v1/leads/bulk': {
        post: {
          operationId: 'bulkLeadOperations',
          summary: 'Apply a batch of lead operations (used by workflows); one result per operation',
          description: 'Operations with an idempotencyKey run once; a retry returns the stored result.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/BulkOperations' } } } },
          responses: {
            '200': {
              description: 'Results in order',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      results: {
                        type: 'array',
                        items: {
                          type: 'object',
                          required: ['leadId', 'op', 'ok'],
                          properties: {
                            leadId: { type: 'string' },
                            eventId: { type: 'string' },
                            op: { type: 'string' },
                            ok: { type: 'boolean' },
                            error: { type: 'string' },
                            lead: { type: 'object' },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
            '422': problemResponse('Validation failed'),
            ...errors,
          },
        },
      },
      '/api/v1/leads/{leadId}': {
        parameters: [leadIdParam],
        get: {
          operationId: 'getLead',
          summary: 'Get a lead',
          responses: {
            '200': { description: 'The lead', content: { 'application/json': { schema: dataOf('#/components/schemas/Lead') } } },
            '404': problemResponse('No such lead in this workspace'),
            ...errors,
          },
        },
        patch: {
          operationId: 'updateLead',
          summary: 'Update the given fields',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/LeadInput' } } } },
          responses: {
            '200': { description: 'The updated lead', content: { 'application/json': { schema: dataOf('#/components/schemas/Lead') } } },
            '404': problemResponse('No such lead in this workspace'),
            '409': problemResponse('The email belongs to another lead'),
            '422': problemResponse('Validation failed'),
            ...errors,
          },
        },
        delete: {
          operationId: 'deleteLead',
          summary: 'Delete a lead and its history',
          responses: { '204': { description: 'Deleted' }, '404': problemResponse('No such lead in this workspace'), ...errors },
        },
      },
      '/api/v1/leads/{leadId}/events': {
        parameters: [leadIdParam],
        get: {
          operationId: 'listLeadEvents',
          summary: 'The lead’s history, newest first',
          parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } }],
          responses: {
            '200': {
              description: 'Events',
              content: { 'application/json': { schema: { type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/LeadEvent' } } } } } },
            },
            '404': problemResponse('No such lead in this workspace'),
            ...errors,
          },
        },
        post: {
          operationId: 'createLeadEvent',
          summary: 'Record an interaction',
          parameters: [idempotencyHeader],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/LeadEventInput' } } } },
          responses: {
            '201': { description: 'Recorded', content: { 'application/json': { schema: dataOf('#/components/schemas/LeadEvent') } } },
            '404': problemResponse('No such lead in this workspace'),
            '422': problemResponse('Validation failed'),
            ...errors,
          },
        },
      },
      '/api/v1/capture/{captureKey}': {
        parameters: [{ name: 'captureKey', in: 'path', required: true, schema: { type: 'string' }, description: 'The tenant’s public capture key' }],
        post: {
          operationId: 'captureLead',
          summary: 'Public form capture (CORS; JSON or form-encoded). Answers after the lead is committed.',
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/CaptureInput' } },
              'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/CaptureInput' } },
            },
          },
          responses: {
            '201': { description: 'Captured', content: { 'application/json': { schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } },
            '303': { description: 'Captured; redirecting to the given _redirect URL' },
            '404': problemResponse('Unknown capture key'),
            '422': problemResponse('Validation failed'),
            '429': problemResponse('Too many submissions'),
          },
        },
        options: { operationId: 'captureLeadPreflight', summary: 'CORS preflight', security: [], responses: { '204': { description: 'CORS headers' } } },
      },
      '/api/v1/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
  };
}
