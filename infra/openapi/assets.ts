import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeConsoleAssets } from '#infra/console/build.ts';
import { openApiDocument } from './document.ts';

/**
 * The static-asset function's folder (`functions/platform/static-site.ts` serves it): the OpenAPI
 * document, Swagger UI (the `swagger-ui-dist` package, no CDN) rendering it at `/docs`, and the
 * operator console at `/console` (built by `infra/console/build.ts`, with its own CSP). Written
 * into the function's bundle by the stack and into the data folder by the local runtime, from the
 * same code, so both serve the same bytes.
 */

/** No page may frame these, and a JSON or script answer loads nothing itself. */
const CSP_NONE = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/**
 * The reference page: its own scripts only (no inline script: the start-up is a file), styles from
 * itself plus the inline styles Swagger UI sets on elements, images from itself or data: URLs (its
 * icons), requests to this origin only (the document, "Try it out").
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const REVALIDATE = 'no-cache';
const AN_HOUR = 'public, max-age=3600';

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Switchboard API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

// Relative to /docs, so the page works under any base path. No validator badge (it calls an outside server).
const INIT_JS = `window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null, tryItOutEnabled: false, persistAuthorization: false });\n`;

const require = createRequire(import.meta.url);

/** Writes the folder at `dir`; `root` is the project root. Returns the manifest it wrote. */
export async function writeStaticAssets(dir: string, root: string): Promise<Record<string, { file: string; contentType: string; cacheControl: string; csp: string }>> {
  await mkdir(dir, { recursive: true });
  const swagger = dirname(require.resolve('swagger-ui-dist/package.json'));
  const document = await openApiDocument(root);
  await writeFile(join(dir, 'openapi.json'), JSON.stringify(document));
  await writeFile(join(dir, 'docs.html'), DOCS_HTML);
  await writeFile(join(dir, 'init.js'), INIT_JS);
  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png']) await copyFile(join(swagger, file), join(dir, file));
  const manifest = {
    '/openapi.json': { file: 'openapi.json', contentType: 'application/json', cacheControl: REVALIDATE, csp: CSP_NONE },
    '/docs': { file: 'docs.html', contentType: 'text/html; charset=utf-8', cacheControl: REVALIDATE, csp: DOCS_CSP },
    '/docs/init.js': { file: 'init.js', contentType: 'text/javascript; charset=utf-8', cacheControl: REVALIDATE, csp: CSP_NONE },
    '/docs/swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', contentType: 'text/javascript; charset=utf-8', cacheControl: AN_HOUR, csp: CSP_NONE },
    '/docs/swagger-ui.css': { file: 'swagger-ui.css', contentType: 'text/css; charset=utf-8', cacheControl: AN_HOUR, csp: CSP_NONE },
    '/docs/favicon-32x32.png': { file: 'favicon-32x32.png', contentType: 'image/png', cacheControl: AN_HOUR, csp: CSP_NONE },
    ...(await writeConsoleAssets(dir)),
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
