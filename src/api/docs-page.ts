import type { OpenAPIHono } from '@hono/zod-openapi';

type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPIDocument']>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * A self-contained HTML page listing every route of the document. It needs no CDN, so it works
 * on machines without internet access; tools that want more read `/openapi.json`.
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const auth = operation.security && operation.security.length > 0 ? 'API key' : 'none';
      rows.push(
        `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td>` +
          `<td>${escapeHtml(operation.tags?.join(', ') ?? '')}</td><td>${escapeHtml(operation.summary ?? '')}</td>` +
          `<td>${auth}</td></tr>`,
      );
    }
  }
  const title = escapeHtml(`${document.info.title} ${document.info.version}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}code{white-space:nowrap}</style>
</head><body><h1>${title}</h1>
<p>${escapeHtml(document.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3). Authenticate with
<code>Authorization: Bearer &lt;key&gt;</code>. Errors are <code>{"error":{"code","message","details"}}</code>.
Slugs in paths encode "/" as <code>%2F</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Tag</th><th>What</th><th>Auth</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></body></html>`;
}
