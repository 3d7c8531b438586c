import { customerPages } from './customers.tsx';
import { goodaysPages } from './goodays.tsx';
import { hubPages } from './hub.tsx';
import { netcorePages } from './netcore.tsx';
import { rungopherPages } from './rungopher.tsx';
import type { PageDecl } from './types.ts';

export type { PageDecl } from './types.ts';

/** Every page of the console, one list per area; the first page is the start page. */
export const pages: readonly PageDecl[] = [...goodaysPages, ...rungopherPages, ...netcorePages, ...hubPages, ...customerPages];
