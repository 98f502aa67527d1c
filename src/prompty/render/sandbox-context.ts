import type { RenderFunction } from './nunjucks-internals.js';

/**
 * The `context` object compiled templates talk to (nunjucks keeps its own Context class private).
 * Variables live in a null-prototype object, so no name can reach `Object.prototype`.
 */
export class SandboxContext {
  readonly env: { globals: Record<string, unknown> };
  readonly ctx: Record<string, unknown>;
  // Most templates have no blocks and export nothing: both are created on first use.
  #blocks: Record<string, RenderFunction[]> | undefined;
  #exported: string[] | undefined;

  constructor(
    values: Record<string, unknown>,
    blocks: Record<string, RenderFunction>,
    env: { globals: Record<string, unknown> },
    /** Use `values` (a null-prototype object nobody else holds) as the variables instead of a copy. */
    adopt = false,
  ) {
    this.env = env;
    this.ctx =
      adopt && Object.getPrototypeOf(values) === null ? values : Object.assign(Object.create(null), values);
    for (const name of Object.keys(blocks)) this.addBlock(name, blocks[name] as RenderFunction);
  }

  lookup(name: string): unknown {
    if (Object.hasOwn(this.ctx, name)) return this.ctx[name];
    return Object.hasOwn(this.env.globals, name) ? this.env.globals[name] : undefined;
  }

  setVariable(name: string, value: unknown): void {
    this.ctx[name] = value;
  }

  getVariables(): Record<string, unknown> {
    return this.ctx;
  }

  addBlock(name: string, block: RenderFunction): this {
    this.#blocks ??= Object.create(null) as Record<string, RenderFunction[]>;
    this.#blocks[name] ??= [];
    this.#blocks[name].push(block);
    return this;
  }

  getBlock(name: string): RenderFunction {
    const block = this.#blocks?.[name]?.[0];
    if (!block) throw new Error(`unknown block "${name}"`);
    return block;
  }

  getSuper(
    env: unknown,
    name: string,
    block: RenderFunction,
    frame: unknown,
    runtime: unknown,
    cb: (err: unknown, res?: string) => void,
  ): void {
    const chain = this.#blocks?.[name] ?? [];
    const parent = chain[chain.indexOf(block) + 1];
    if (chain.indexOf(block) === -1 || !parent) throw new Error(`no super block available for "${name}"`);
    parent(env, this, frame, runtime, cb);
  }

  addExport(name: string): void {
    this.#exported ??= [];
    this.#exported.push(name);
  }

  getExported(): Record<string, unknown> {
    const exported: Record<string, unknown> = Object.create(null);
    for (const name of this.#exported ?? []) exported[name] = this.ctx[name];
    return exported;
  }
}
