import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse } from '../../support/api-http.js';
import { SLUG } from '../../support/api-routes.js';
import { type ApiStack, startApiStack } from '../../support/api-stack.js';

describe('opm serve shutdown', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('on SIGTERM ends open event streams, finishes requests in flight, and exits 0', async () => {
    const headers = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
    let streamOpen: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => {
      streamOpen = resolve;
    });
    const stream = readSse(`${stack.baseUrl}/v1/events`, stack.adminKey, {
      until: () => false,
      onOpen: () => streamOpen(),
      timeoutMs: 30_000,
    });
    await opened;
    const inFlight = fetch(`${stack.baseUrl}/v1/runs?wait=true&timeoutMs=20000`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ slug: SLUG, vars: { person: 'Late' }, options: { delayMs: 1000 } }),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const code = await stack.stopServer();
    expect(code).toBe(0);
    const events = await stream;
    expect(events.map((event) => event.event)).toEqual(['ready']);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { text: string }).text).toContain('Late');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stack.output()).not.toContain('"level":"error"');
  });
});
