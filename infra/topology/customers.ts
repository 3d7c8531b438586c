import type { FunctionDecl, QueueDecl, SecretDecl, TableDecl } from './types.ts';

/**
 * The customer functions: one person across every vendor, found by phone number or e-mail address
 * through the identity index (`customer-index`, in `platform.ts`), shown as one timeline, exported and
 * erased. They read each vendor's tables only through the refs the index holds, so they are given
 * every table that holds personal data (`personalDataTables`), whatever vendors there are.
 */
export const name = 'customers';
export const title = 'Customers';

export const tables = {} as const satisfies Record<string, TableDecl>;
export const queues = {} as const satisfies Record<string, QueueDecl>;
export const secrets = {} as const satisfies Record<string, SecretDecl>;

export const functions = {
  'customers-api': {
    entry: 'functions/customers/handlers/api.ts',
    description: 'Operator API for one customer across vendors: timeline, export, erasure, index backfill.',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/customers' },
        { method: 'GET', path: '/customers/export' },
        { method: 'DELETE', path: '/customers' },
        { method: 'POST', path: '/customers/backfill' },
      ],
    },
    timeoutSeconds: 30,
    memoryMb: 1024,
    personalDataTables: true,
    reads: ['customer-erasures'],
    writes: ['customer-erasures'],
    secrets: ['hub', 'customers'],
    metrics: ['CustomerErasures', 'CustomerItemsErased'],
  },
} as const satisfies Record<string, FunctionDecl>;
