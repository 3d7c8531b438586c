import * as z from 'zod';
import type { ApiDoc } from './api-doc.ts';
import { INTERNAL } from './api-doc.ts';

/** The platform's own routes for the OpenAPI document (`infra/openapi/`); no handler imports this. */

const NOT_FOUND = { description: 'No such asset.' };

export const routes: ApiDoc = {
  'GET /health': {
    summary: 'Liveness',
    tag: 'Platform',
    security: 'none',
    responses: { 200: { description: 'The hub answers.', schema: z.object({ status: z.literal('ok'), service: z.literal('switchboard') }), example: { status: 'ok', service: 'switchboard' } }, 500: INTERNAL },
  },
  'GET /openapi.json': {
    summary: 'This document',
    tag: 'Platform',
    security: 'none',
    responses: { 200: { description: 'The OpenAPI 3.1 document.', schema: z.record(z.string(), z.unknown()), headers: { ETag: 'Changes with the document.' } }, 304: { description: 'Unchanged since the ETag sent as If-None-Match.', contentType: 'none' }, 404: NOT_FOUND, 500: INTERNAL },
  },
  'GET /docs': {
    summary: 'This document, rendered (Swagger UI, served by the hub; works offline)',
    tag: 'Platform',
    security: 'none',
    responses: { 200: { description: 'An HTML page.', contentType: 'text/html', schema: z.string() }, 304: { description: 'Unchanged.', contentType: 'none' }, 404: NOT_FOUND, 500: INTERNAL },
  },
  'GET /docs/{asset}': {
    summary: "The reference's scripts and styles",
    tag: 'Platform',
    security: 'none',
    path: { asset: { description: 'A file of the rendered reference.', example: 'swagger-ui.css' } },
    responses: { 200: { description: 'A script, style sheet or image.', contentType: '*/*', schema: z.string() }, 304: { description: 'Unchanged.', contentType: 'none' }, 404: NOT_FOUND, 500: INTERNAL },
  },
  'GET /console': {
    summary: 'The operator console (sign in with the operator token; the page calls this API)',
    tag: 'Platform',
    security: 'none',
    responses: { 200: { description: 'An HTML page, revalidated on every load, with its own Content-Security-Policy.', contentType: 'text/html', schema: z.string() }, 304: { description: 'Unchanged.', contentType: 'none' }, 404: NOT_FOUND, 500: INTERNAL },
  },
  'GET /console/{asset}': {
    summary: "The console's script and style sheet",
    tag: 'Platform',
    security: 'none',
    path: { asset: { description: 'A file the console page names (its name carries a content hash, so it is cached for a year).', example: 'app-0123456789ab.js' } },
    responses: { 200: { description: 'A script or style sheet.', contentType: '*/*', schema: z.string() }, 304: { description: 'Unchanged.', contentType: 'none' }, 404: NOT_FOUND, 500: INTERNAL },
  },
};
