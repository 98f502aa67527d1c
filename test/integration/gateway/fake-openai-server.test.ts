import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../support/fake-openai-server.js';

describe('startFakeOpenAIServer', () => {
  let fake: FakeOpenAIServer;
  let client: OpenAI;
  const ask = (model: string) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).then(
      (r) => r.choices[0]?.message.content,
      (e: { status?: number }) => e.status,
    );

  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    client = new OpenAI({ baseURL: fake.url, apiKey: 'k', maxRetries: 0, logLevel: 'off' });
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await fake.close();
  });

  it('answers ok by default and echoes the requested model', async () => {
    const reply = await client.chat.completions.create({
      model: 'x',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(reply.choices[0]?.message.content).toBe('ok');
    expect(reply.model).toBe('x');
    expect(reply.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('consumes steps in order, per model, as many times as asked', async () => {
    fake.script({ forModel: 'b', text: 'for b' }, { status: 503, times: 2 }, { text: 'third' });
    expect(await ask('a')).toBe(503);
    expect(await ask('b')).toBe('for b');
    expect(await ask('a')).toBe(503);
    expect(await ask('a')).toBe('third');
    expect(await ask('a')).toBe('ok');
  });

  it('uses the default reply once the script is empty', async () => {
    fake.setDefault({ text: 'steady' });
    expect(await ask('a')).toBe('steady');
    expect(await ask('a')).toBe('steady');
  });

  it('records every request with its headers and body', async () => {
    await ask('m');
    expect(fake.requestCount).toBe(1);
    expect(fake.requestsFor('m')[0]).toMatchObject({
      method: 'POST',
      url: '/v1/chat/completions',
      isStream: false,
      body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer k');
  });

  it('streams SSE chunks that the SDK reassembles', async () => {
    fake.script({ text: 'streamed reply text' });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed reply text');
  });

  it('can stop recording for benchmarks while still counting', async () => {
    const quiet = await startFakeOpenAIServer({ recordRequests: false });
    const quietClient = new OpenAI({ baseURL: quiet.url, apiKey: 'k', maxRetries: 0 });
    await quietClient.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(quiet.requestCount).toBe(1);
    expect(quiet.requests).toHaveLength(0);
    await quiet.close();
  });
});
