import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from '../../../src/http-client/sse-reader.js';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(chunks: string[]) {
  const events = [];
  for await (const event of readServerSentEvents(streamOf(chunks))) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('splits events across chunk boundaries and skips keep-alive comments', async () => {
    const events = await collect([
      ': keep-alive\n\nevent: compl',
      'eted\nid: job-1\ndata: {"a":',
      '1}\n\n: keep-alive\n\n',
      'data: plain\n\n',
    ]);
    expect(events).toEqual([
      { event: 'completed', id: 'job-1', data: '{"a":1}' },
      { event: 'message', id: undefined, data: 'plain' },
    ]);
  });

  it('joins multi-line data and accepts CRLF line ends', async () => {
    expect(await collect(['event: x\r\ndata: one\r\ndata: two\r\n\r\n'])).toEqual([
      { event: 'x', id: undefined, data: 'one\ntwo' },
    ]);
  });

  it('drops an event without data and an unterminated last block', async () => {
    expect(await collect(['event: ping\n\n', 'data: cut off'])).toEqual([]);
  });
});
