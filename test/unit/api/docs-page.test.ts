import { describe, expect, it } from 'vitest';
import { renderDocsPage } from '../../../src/api/docs-page.js';

describe('renderDocsPage', () => {
  it('lists every operation with its method, path, summary and auth, HTML-escaped', () => {
    const html = renderDocsPage({
      openapi: '3.0.3',
      info: { title: 'T <x>', version: '1' },
      paths: {
        '/v1/runs': {
          post: { summary: 'Enqueue <now>', tags: ['runs'], security: [{ bearerAuth: [] }], responses: {} },
          get: { summary: 'List', responses: {} },
        },
      },
    });
    expect(html).toContain('<code>POST</code></td><td><code>/v1/runs</code>');
    expect(html).toContain('Enqueue &#60;now&#62;');
    expect(html).toContain('T &#60;x&#62; 1');
    expect(html).toMatch(/List<\/td><td>none/);
    expect(html).toMatch(/Enqueue &#60;now&#62;<\/td><td>API key/);
  });
});
