import { describe, expect, it } from 'vitest';
import { OpmError } from '../../../src/errors/index.js';
import type { Prompty } from '../../../src/prompty/model.js';
import type { PromptRunPayload } from '../../../src/queue/index.js';
import type { ResolvedPrompt } from '../../../src/registry/index.js';
import {
  type CompletionCall,
  type CompletionGateway,
  type PromptRenderer,
  runPrompt,
  toRunResult,
} from '../../../src/worker/index.js';

function prompt(template: string): Prompty {
  return {
    kind: 'prompt',
    name: 'triage',
    metadata: {},
    model: { id: 'openai/gpt-4o-mini', provider: 'openrouter', apiType: 'chat', options: {} },
    inputs: [{ name: 'ticket', kind: 'string', required: true }],
    outputs: [],
    tools: [],
    template: { format: { kind: 'jinja2' }, parser: { kind: 'prompty' } },
    instructions: template,
    opm: { fallbacks: [{ model: 'anthropic/claude-3.5-haiku' }] },
    extra: {},
    generation: 'v2',
    warnings: [],
    source: { contentHash: 'abc1234def', bodyLine: 1 },
  };
}

const prompts = {
  async resolve(ref: { slug: string; label?: string }): Promise<ResolvedPrompt> {
    if (ref.slug !== 'acme/support/triage') {
      throw new OpmError('registry.slug_not_found', `Prompt "${ref.slug}" not found`);
    }
    return {
      slug: ref.slug,
      prompt: prompt('Triage: {{ticket}}'),
      version: 'abc1234',
      label: null,
      variant: null,
    };
  },
};

/** A tiny renderer honouring the contract: a missing required input throws before any LLM call. */
const render: PromptRenderer = (resolved, vars) => {
  const text = resolved.prompt.instructions.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    if (vars[name] === undefined) throw new OpmError('prompty.missing_input', `Input "${name}" is required`);
    return String(vars[name]);
  });
  return { messages: [{ role: 'user', content: text }] };
};

function recordingGateway(fail?: unknown): CompletionGateway & { calls: CompletionCall[] } {
  const calls: CompletionCall[] = [];
  return {
    calls,
    async complete(request) {
      calls.push(request);
      if (fail) throw fail;
      return {
        text: 'priority: high',
        json: null,
        provider: 'openrouter',
        modelRequested: 'openai/gpt-4o-mini',
        modelUsed: 'anthropic/claude-3.5-haiku',
        attempts: [{ provider: 'openrouter', model: 'openai/gpt-4o-mini', outcome: 'error' }],
        usage: { inputTokens: 12, outputTokens: 3 },
        costUsd: 0.0001,
        latencyMs: 42.4,
      };
    },
  };
}

const payload: PromptRunPayload = {
  slug: 'acme/support/triage',
  vars: { ticket: 'My order is late' },
  enqueuedAt: 1_000,
  metadata: { ticketId: 'T-1' },
  tags: ['batch'],
  modelOverride: 'openai/gpt-4o',
};
const context = { jobId: 'job-1', startedAt: 1_250 };
const clock = () => 2_000;

describe('runPrompt', () => {
  it('resolves, renders, calls the gateway and builds a completed row', async () => {
    const gateway = recordingGateway();
    const outcome = await runPrompt({ prompts, render, gateway, clock }, payload, context);
    expect(outcome.ok).toBe(true);
    expect(gateway.calls).toHaveLength(1);
    expect(gateway.calls[0]).toMatchObject({
      messages: [{ role: 'user', content: 'Triage: My order is late' }],
      model: { id: 'openai/gpt-4o-mini' },
      opm: { fallbacks: [{ model: 'anthropic/claude-3.5-haiku' }] },
      modelOverride: 'openai/gpt-4o',
    });
    expect(outcome.row).toMatchObject({
      jobId: 'job-1',
      slug: 'acme/support/triage',
      version: 'abc1234',
      status: 'completed',
      outputText: 'priority: high',
      modelUsed: 'anthropic/claude-3.5-haiku',
      provider: 'openrouter',
      tokensIn: 12,
      tokensOut: 3,
      costUsd: 0.0001,
      queueWaitMs: 250,
      llmLatencyMs: 42,
      totalMs: 1_000,
      inputs: { ticket: 'My order is late' },
      metadata: { ticketId: 'T-1' },
      tags: ['batch'],
    });
    expect(outcome.row.attempts).toHaveLength(1);
  });

  it('fails a missing variable with a typed error and makes no LLM call', async () => {
    const gateway = recordingGateway();
    const outcome = await runPrompt({ prompts, render, gateway, clock }, { ...payload, vars: {} }, context);
    expect(outcome.ok).toBe(false);
    expect(gateway.calls).toHaveLength(0);
    expect(outcome.row).toMatchObject({
      status: 'failed',
      errorCode: 'prompty.missing_input',
      errorMessage: 'Input "ticket" is required',
      messages: null,
    });
  });

  it('fails an unknown slug with the registry error', async () => {
    const outcome = await runPrompt(
      { prompts, render, gateway: recordingGateway(), clock },
      { ...payload, slug: 'acme/nope' },
      context,
    );
    expect(outcome).toMatchObject({
      ok: false,
      row: { errorCode: 'registry.slug_not_found', version: null },
    });
  });

  it('keeps the rendered messages and every gateway attempt on a failed row', async () => {
    const attempts = [
      { provider: 'openrouter', model: 'openai/gpt-4o', outcome: 'error', errorCode: 'gateway.transient' },
    ];
    const error = new OpmError('gateway.all_failed', 'every model failed', {
      retryable: true,
      details: { attempts, provider: 'openrouter' },
    });
    const outcome = await runPrompt(
      { prompts, render, gateway: recordingGateway(error), clock },
      payload,
      context,
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.row).toMatchObject({
      status: 'failed',
      errorCode: 'gateway.all_failed',
      attempts,
      provider: 'openrouter',
      modelRequested: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'Triage: My order is late' }],
    });
    expect(outcome.row.errorDetails).toEqual({ provider: 'openrouter' });
  });

  it('stores unexpected errors under internal.unexpected, never as a bare stack', async () => {
    const outcome = await runPrompt(
      { prompts, render, gateway: recordingGateway(new TypeError('boom')), clock },
      payload,
      context,
    );
    expect(outcome.row).toMatchObject({ errorCode: 'internal.unexpected', errorMessage: 'boom' });
  });
});

describe('toRunResult', () => {
  it('turns a completed row into the completion event', async () => {
    const outcome = await runPrompt(
      { prompts, render, gateway: recordingGateway(), clock },
      payload,
      context,
    );
    expect(toRunResult(outcome.row)).toMatchObject({
      jobId: 'job-1',
      status: 'completed',
      text: 'priority: high',
      modelUsed: 'anthropic/claude-3.5-haiku',
      inputTokens: 12,
      error: null,
      finishedAt: 2_000,
    });
  });

  it('carries the stored error code of a failed row', async () => {
    const outcome = await runPrompt(
      { prompts, render, gateway: recordingGateway(), clock },
      { ...payload, vars: {} },
      context,
    );
    expect(toRunResult(outcome.row)).toMatchObject({
      status: 'failed',
      text: null,
      error: { code: 'prompty.missing_input', message: 'Input "ticket" is required' },
    });
  });
});
