import type { EventDecl, FunctionDecl, QueueDecl, SecretDecl, TableDecl } from './types.ts';

/**
 * The customer functions: one person across every vendor, found by phone number or e-mail address
 * through the identity index (`customer-index`), shown as one timeline, exported and
 * erased. They read each vendor's tables only through the refs the index holds, so they are given
 * every table that holds personal data (`personalDataTables`), whatever vendors there are.
 */
export const name = 'customers';
export const title = 'Customers';

export const tables = {
  'customer-index': {
    description: 'Identity index: one row per identifier (phone, e-mail, vendor contact id) and stored record that carries it; a record listed through the rows of another (a contact view) has none.',
    partitionKey: 'identifier',
    sortKey: 'ref',
  },
  'customer-erasures': {
    description: 'Erasure audit (who, when, a keyed hash of the identifier, counts per table) and the suppression list (keyed hashes only).',
    partitionKey: 'id',
    indexes: [{ name: 'bySubject', partitionKey: 'subjectHash', sortKey: 'startedAt' }],
    personalData: false,
  },
} as const satisfies Record<string, TableDecl>;
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
    apiDoc: 'functions/customers/adapters/api-doc.ts',
    metrics: ['CustomerErasures', 'CustomerItemsErased'],
  },
} as const satisfies Record<string, FunctionDecl>;

/** The customer functions publish no events (see the module below). */
export const events = {} as const satisfies Record<string, EventDecl>;

export const eventModule = 'functions/customers/domain/outbound.ts';
