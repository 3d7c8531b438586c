/** The hub's topology; being split into platform and vendor files (see types.ts for now). */
export * from './types.ts';
