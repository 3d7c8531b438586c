/**
 * The console page's Content-Security-Policy: scripts, styles and API calls from this origin only,
 * nothing inline, no frames, no plugins, no form posts elsewhere. Images only from this origin or
 * `data:` (vendor media are shown as links, never loaded). One definition for the function that
 * serves the page and the build that writes static-asset manifest entries.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
