import { describe, expectTypeOf, it } from 'vitest';
import type { CompletionRequest } from '../../../src/gateway/index.js';
import type { ChatMessage, Prompty } from '../../../src/prompty/model.js';

describe('CompletionRequest', () => {
  it('accepts a loaded prompt and its rendered messages as they are', () => {
    type FromPrompt = {
      messages: ChatMessage[];
      model: Prompty['model'];
      outputs: Prompty['outputs'];
      opm: Prompty['opm'];
    };
    expectTypeOf<FromPrompt>().toExtend<CompletionRequest>();
  });
});
