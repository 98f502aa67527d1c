import { isNode, type NunjucksNode, nunjucksInternals } from './nunjucks-internals.js';
import { isForbiddenKey } from './sandbox-policy.js';
import { callWrap, memberLookup, suppressValue } from './sandbox-runtime.js';

/**
 * A second back end for vetted, instrumented template ASTs: instead of generating JavaScript source
 * for nunjucks' runtime (Frames, callbacks, `runtime.*` indirections), the tree is turned into nested
 * closures once, and a render is a walk over them. It follows the code nunjucks' compiler emits node
 * by node, so output is the same; it covers the nodes prompts use (output, conditions, loops,
 * filters, tests, lookups, literals, arithmetic) and declines the rest (`{% set %}`, blocks,
 * `{% include %}`...), which keep the nunjucks back end. No source text is ever generated here.
 *
 * A render that throws is not trusted to throw the right error: callers run the nunjucks back end
 * again, which either produces the canonical error (with its position) or the output.
 */

type FilterFn = (this: unknown, ...args: unknown[]) => unknown;

/** What compiled closures need from the environment: its filters, tests and globals. */
export interface ClosureEnvironment {
  filters: Readonly<Record<string, FilterFn>>;
  tests: Readonly<Record<string, FilterFn>>;
  globals: Readonly<Record<string, unknown>>;
}

/** The variables a render reads, as nunjucks' sandboxed context holds them (null prototype). */
export interface ClosureContext {
  readonly ctx: Record<string, unknown>;
}

/** A template compiled to closures: renders `context` to text, or throws. */
export type ClosureTemplate = (context: ClosureContext) => string;

/** Runtime scope of a loop body (nunjucks pushes one frame per `{% for %}`). */
interface Scope {
  readonly vars: Record<string, unknown>;
  readonly parent: Scope | undefined;
}

interface RenderState {
  readonly context: ClosureContext;
  scope: Scope | undefined;
  /** Values of loop variables, by the slot their `{% for %}` was given at compile time. */
  readonly slots: unknown[];
  /** The output so far, joined once at the end: one flat string instead of a rope to flatten later. */
  readonly out: string[];
  /** Characters in `out`. */
  length: number;
  // Line tracking (tracked renders only): see TrackedRender.
  lineStart: number;
  /** The line being written holds printed values or more than one piece of template text. */
  lineDirty: boolean;
  readonly checks: number[];
  readonly marks: number[];
}

/**
 * A render that also says which lines of its text a parser must look at. Every other line lies
 * within one piece of template text, whose lines are listed in `literals` of the compiled template
 * and can be vetted once.
 */
export interface TrackedRender {
  text: string;
  /**
   * `[start, end)` offset pairs of whole lines (ascending, disjoint; `end` at a newline or the end)
   * holding printed values or joining pieces of template text.
   */
  checks: number[];
  /** Offsets where the mark variable was printed. */
  marks: number[];
}

export interface TrackedTemplate {
  render: (context: ClosureContext) => TrackedRender;
  /** Every piece of template text the render may print. */
  literals: readonly string[];
}

type Expression = (state: RenderState) => unknown;
type Statement = (state: RenderState) => void;

/** Thrown inside a render for a case the closures leave to nunjucks (the caller re-renders there). */
class Unsupported extends Error {}

/** Compile-time scope: loop variable names bound to slots, as nunjucks' compiler binds them to temporaries. */
interface CompileScope {
  readonly names: Map<string, number>;
  readonly parent: CompileScope | undefined;
}

interface Compiler {
  readonly env: ClosureEnvironment;
  slotCount: number;
  /** Set for tracked renders: the variable whose printing is recorded, and the literals met. */
  readonly track?: { markVariable: string; literals: string[] };
}

/**
 * Compiles the AST nunjucks would compile (after `assertSandboxed`, `rewriteLoops` and
 * `instrumentAst`), or returns `null` when it holds a node this back end does not cover.
 */
export function compileClosures(root: NunjucksNode, env: ClosureEnvironment): ClosureTemplate | null {
  if (root.typename !== 'Root') return null;
  const compiler: Compiler = { env, slotCount: 0 };
  const body = compileStatements(root, compiler, undefined);
  if (body === null) return null;
  const slotCount = compiler.slotCount;
  return (context) => {
    const state = newState(context, slotCount);
    body(state);
    return state.out.join('');
  };
}

function newState(context: ClosureContext, slotCount: number): RenderState {
  return {
    context,
    scope: undefined,
    slots: new Array(slotCount),
    out: [],
    length: 0,
    lineStart: 0,
    lineDirty: false,
    checks: [],
    marks: [],
  };
}

/**
 * {@link compileClosures} for renders that track lines ({@link TrackedRender}), recording where
 * `markVariable` is printed. `null` when the template holds a node this back end does not cover.
 */
export function compileTrackedClosures(
  root: NunjucksNode,
  env: ClosureEnvironment,
  markVariable: string,
): TrackedTemplate | null {
  if (root.typename !== 'Root') return null;
  const literals: string[] = [];
  const compiler: Compiler = { env, slotCount: 0, track: { markVariable, literals } };
  const body = compileStatements(root, compiler, undefined);
  if (body === null) return null;
  const slotCount = compiler.slotCount;
  return {
    literals,
    render: (context) => {
      const state = newState(context, slotCount);
      body(state);
      const { checks } = state;
      if (state.lineDirty) checks.push(state.lineStart, state.length);
      return { text: state.out.join(''), checks, marks: state.marks };
    },
  };
}

/** Appends template text, ending the line being written at its first newline. */
function trackedLiteral(text: string): Statement {
  const first = text.indexOf('\n');
  const last = text.lastIndexOf('\n');
  if (first === -1) {
    return (state) => {
      if (state.length > state.lineStart) state.lineDirty = true;
      state.out.push(text);
      state.length += text.length;
    };
  }
  return (state) => {
    const at = state.length;
    if (state.lineDirty || at > state.lineStart) state.checks.push(state.lineStart, at + first);
    state.lineStart = at + last + 1;
    state.lineDirty = false;
    state.out.push(text);
    state.length += text.length;
  };
}

/** Appends a printed value: its lines, and the line it continues, need checking. */
function trackedValue(value: Expression, marks: boolean): Statement {
  return (state) => {
    const text = suppressValue(value(state));
    if (text === '') return;
    const at = state.length;
    if (marks) state.marks.push(at);
    state.out.push(text);
    state.length += text.length;
    state.lineDirty = true;
    if (text.indexOf('\n') === -1) return;
    const last = at + text.lastIndexOf('\n');
    state.checks.push(state.lineStart, last);
    state.lineStart = last + 1;
  };
}

function children(node: NunjucksNode): NunjucksNode[] | null {
  const list = node.children;
  if (!Array.isArray(list)) return null;
  return list.every(isNode) ? (list as NunjucksNode[]) : null;
}

function compileStatements(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): Statement | null {
  const nodes = children(node);
  if (nodes === null) return null;
  const statements: Statement[] = [];
  for (const child of nodes) {
    const statement = compileStatement(child, compiler, scope);
    if (statement === null) return null;
    statements.push(statement);
  }
  if (statements.length === 1) return statements[0] as Statement;
  return (state) => {
    for (const statement of statements) statement(state);
  };
}

function compileStatement(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): Statement | null {
  switch (node.typename) {
    case 'NodeList':
      return compileStatements(node, compiler, scope);
    case 'Output':
      return compileOutput(node, compiler, scope);
    case 'If':
      return compileIf(node, compiler, scope);
    case 'For':
      return compileFor(node, compiler, scope);
    default:
      return null;
  }
}

function compileOutput(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): Statement | null {
  const nodes = children(node);
  if (nodes === null) return null;
  const parts: Statement[] = [];
  const track = compiler.track;
  for (const child of nodes) {
    if (child.typename === 'TemplateData') {
      const text = child.value;
      if (typeof text !== 'string') return null;
      if (text === '') continue;
      if (track) {
        track.literals.push(text);
        parts.push(trackedLiteral(text));
      } else {
        parts.push((state) => {
          state.out.push(text);
        });
      }
      continue;
    }
    const value = compileExpression(child, compiler, scope);
    if (value === null) return null;
    if (track) {
      parts.push(trackedValue(value, child.typename === 'Symbol' && child.value === track.markVariable));
    } else {
      parts.push((state) => {
        state.out.push(suppressValue(value(state)));
      });
    }
  }
  if (parts.length === 1) return parts[0] as Statement;
  return (state) => {
    for (const part of parts) part(state);
  };
}

function optionalStatements(
  node: unknown,
  compiler: Compiler,
  scope: CompileScope | undefined,
): Statement | undefined | null {
  if (node === null || node === undefined) return undefined;
  if (!isNode(node)) return null;
  return compileStatement(node, compiler, scope);
}

function compileIf(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): Statement | null {
  const condition = isNode(node.cond) ? compileExpression(node.cond, compiler, scope) : null;
  const body = isNode(node.body) ? compileStatement(node.body, compiler, scope) : null;
  const otherwise = optionalStatements(node.else_, compiler, scope);
  if (condition === null || body === null || otherwise === null) return null;
  if (otherwise === undefined) {
    return (state) => {
      if (condition(state)) body(state);
    };
  }
  return (state) => {
    if (condition(state)) body(state);
    else otherwise(state);
  };
}

/** The `loop` object of one `{% for %}`, updated in place per item as nunjucks' `frame.set("loop.x")` does. */
function bindLoop(
  loop: Record<string, unknown>,
  items: unknown[] | undefined,
  i: number,
  length: number,
): void {
  loop.index = i + 1;
  loop.index0 = i;
  loop.revindex = length - i;
  loop.revindex0 = length - i - 1;
  loop.first = i === 0;
  loop.last = i === length - 1;
  loop.length = length;
  loop.previtem = items !== undefined && i > 0 ? items[i - 1] : undefined;
  loop.nextitem = items !== undefined && i < length - 1 ? items[i + 1] : undefined;
}

function compileFor(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): Statement | null {
  const target = node.name;
  if (!isNode(target) || !isNode(node.arr)) return null;
  let names: string[];
  if (target.typename === 'Symbol' && typeof target.value === 'string') names = [target.value];
  else if (target.typename === 'Array') {
    const items = children(target);
    if (items === null || items.length !== 2) return null;
    names = [];
    for (const item of items) {
      if (item.typename !== 'Symbol' || typeof item.value !== 'string') return null;
      names.push(item.value);
    }
  } else return null;
  const iterable = compileExpression(node.arr, compiler, scope);
  if (iterable === null) return null;
  const slots = names.map(() => compiler.slotCount++);
  const inner: CompileScope = {
    names: new Map(names.map((name, i) => [name, slots[i] as number])),
    parent: scope,
  };
  const body = isNode(node.body) ? compileStatement(node.body, compiler, inner) : null;
  const pairs = names.length === 2;
  // nunjucks compiles `else` in the loop's frame, reading the loop variables' temporaries; for pairs
  // those are the object branch's, a case left to it.
  if (pairs && node.else_ !== null && node.else_ !== undefined) return null;
  const otherwise = optionalStatements(node.else_, compiler, inner);
  if (body === null || otherwise === null) return null;
  const [first = 0, second = 0] = slots;
  const [firstName = '', secondName = ''] = names;
  return (state) => {
    const outer = state.scope;
    const vars: Record<string, unknown> = Object.create(null);
    state.scope = { vars, parent: outer };
    const value = iterable(state);
    let length: number | undefined;
    if (value) {
      if (!Array.isArray(value)) {
        if (!pairs || typeof value !== 'object') throw new Unsupported();
        // An object iterated as `key, value` pairs: nunjucks walks it with for...in.
        const record = value as Record<string, unknown>;
        length = Object.keys(record).length;
        const loop: Record<string, unknown> = {};
        vars.loop = loop;
        let i = -1;
        for (const key in record) {
          i++;
          const item = record[key];
          state.slots[first] = key;
          state.slots[second] = item;
          vars[firstName] = key;
          vars[secondName] = item;
          bindLoop(loop, undefined, i, length);
          body(state);
        }
      } else {
        const items = value as unknown[];
        length = items.length;
        const loop: Record<string, unknown> = {};
        vars.loop = loop;
        for (let i = 0; i < items.length; i++) {
          const item = items[i];
          if (pairs) {
            const pair = item as unknown[] | null | undefined;
            // nunjucks reads `item[0]`/`item[1]`; anything but an array is left to it.
            if (!Array.isArray(pair)) throw new Unsupported();
            state.slots[first] = pair[0];
            state.slots[second] = pair[1];
            vars[firstName] = pair[0];
            vars[secondName] = pair[1];
          } else {
            state.slots[first] = item;
            vars[firstName] = item;
          }
          bindLoop(loop, items, i, length);
          body(state);
        }
      }
    }
    // The loop variables keep whatever their temporaries last held (nothing, unless an enclosing loop ran this one before).
    if (otherwise !== undefined && !length) otherwise(state);
    state.scope = outer;
  };
}

function lookupName(state: RenderState, name: string): unknown {
  for (let scope = state.scope; scope !== undefined; scope = scope.parent) {
    const value = scope.vars[name];
    if (value !== undefined) return value;
  }
  const ctx = state.context.ctx;
  if (Object.hasOwn(ctx, name)) return ctx[name];
  return undefined;
}

function compileSymbol(name: string, compiler: Compiler, scope: CompileScope | undefined): Expression {
  for (let at = scope; at !== undefined; at = at.parent) {
    const slot = at.names.get(name);
    if (slot !== undefined) return (state) => state.slots[slot];
  }
  // The sandbox's contextOrFrameLookup: forbidden names read nothing; then frames, context, globals.
  if (isForbiddenKey(name)) return () => undefined;
  const globals = compiler.env.globals;
  if (Object.hasOwn(globals, name)) {
    const global = globals[name];
    return (state) => {
      const value = lookupName(state, name);
      return value !== undefined || Object.hasOwn(state.context.ctx, name) ? value : global;
    };
  }
  return (state) => lookupName(state, name);
}

function compileList(
  nodes: NunjucksNode[],
  compiler: Compiler,
  scope: CompileScope | undefined,
): Expression[] | null {
  const out: Expression[] = [];
  for (const node of nodes) {
    const expression = compileExpression(node, compiler, scope);
    if (expression === null) return null;
    out.push(expression);
  }
  return out;
}

function callWith(fn: FilterFn, self: unknown, args: Expression[]): Expression {
  const [a, b, c] = args;
  switch (args.length) {
    case 1:
      return (state) => fn.call(self ?? state.context, (a as Expression)(state));
    case 2:
      return (state) => fn.call(self ?? state.context, (a as Expression)(state), (b as Expression)(state));
    case 3:
      return (state) =>
        fn.call(
          self ?? state.context,
          (a as Expression)(state),
          (b as Expression)(state),
          (c as Expression)(state),
        );
    default:
      return (state) =>
        fn.apply(
          self ?? state.context,
          args.map((arg) => arg(state)),
        );
  }
}

function compileExpression(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): Expression | null {
  switch (node.typename) {
    case 'Literal': {
      const value = node.value;
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) return null;
      return () => value;
    }
    case 'Symbol':
      return typeof node.value === 'string' ? compileSymbol(node.value, compiler, scope) : null;
    case 'LookupVal': {
      if (!isNode(node.target) || !isNode(node.val)) return null;
      const target = compileExpression(node.target, compiler, scope);
      const key = compileExpression(node.val, compiler, scope);
      if (target === null || key === null) return null;
      return (state) => memberLookup(target(state), key(state));
    }
    case 'Filter': {
      const name = isNode(node.name) ? node.name.value : undefined;
      if (typeof name !== 'string' || !Object.hasOwn(compiler.env.filters, name)) return null;
      const fn = compiler.env.filters[name] as FilterFn;
      const args = isNode(node.args) ? children(node.args) : null;
      const compiled = args === null ? null : compileList(args, compiler, scope);
      if (compiled === null || compiled.length === 0) return null;
      return callWith(fn, undefined, compiled);
    }
    case 'Is': {
      const right = node.right;
      if (!isNode(right) || !isNode(node.left)) return null;
      const named = isNode(right.name) ? right.name.value : right.value;
      if (typeof named !== 'string' || !Object.hasOwn(compiler.env.tests, named)) return null;
      const test = compiler.env.tests[named] as FilterFn;
      const extra = isNode(right.args) ? children(right.args) : [];
      // nunjucks emits test arguments without separators, so only one compiles there.
      if (extra !== null && extra.length > 1) return null;
      const args = extra === null ? null : compileList([node.left, ...extra], compiler, scope);
      if (args === null) return null;
      const call = callWith(test, undefined, args);
      return (state) => call(state) === true;
    }
    case 'In': {
      if (!isNode(node.left) || !isNode(node.right)) return null;
      const left = compileExpression(node.left, compiler, scope);
      const right = compileExpression(node.right, compiler, scope);
      if (left === null || right === null) return null;
      const inOperator = nunjucksInternals.runtime.inOperator as (key: unknown, value: unknown) => boolean;
      return (state) => inOperator(left(state), right(state));
    }
    case 'Not': {
      const target = isNode(node.target) ? compileExpression(node.target, compiler, scope) : null;
      return target === null ? null : (state) => !target(state);
    }
    case 'Neg':
    case 'Pos': {
      const target = isNode(node.target) ? compileExpression(node.target, compiler, scope) : null;
      if (target === null) return null;
      return node.typename === 'Neg'
        ? (state) => -(target(state) as number)
        : (state) => +(target(state) as number);
    }
    case 'Sub':
    case 'Div':
    case 'FloorDiv':
    case 'Pow':
      return compileArithmetic(node, compiler, scope);
    case 'InlineIf': {
      if (!isNode(node.cond) || !isNode(node.body)) return null;
      const condition = compileExpression(node.cond, compiler, scope);
      const body = compileExpression(node.body, compiler, scope);
      const otherwise = isNode(node.else_) ? compileExpression(node.else_, compiler, scope) : () => '';
      if (condition === null || body === null || otherwise === null) return null;
      return (state) => (condition(state) ? body(state) : otherwise(state));
    }
    case 'Group': {
      const items = children(node);
      const compiled = items === null ? null : compileList(items, compiler, scope);
      if (compiled === null || compiled.length === 0) return null;
      if (compiled.length === 1) return compiled[0] as Expression;
      return (state) => {
        let last: unknown;
        for (const item of compiled) last = item(state);
        return last;
      };
    }
    case 'Array': {
      const items = children(node);
      const compiled = items === null ? null : compileList(items, compiler, scope);
      return compiled === null ? null : (state) => compiled.map((item) => item(state));
    }
    case 'Dict':
    case 'KeywordArgs':
      return compileDict(node, compiler, scope);
    case 'FunCall': {
      if (!isNode(node.name) || !isNode(node.args)) return null;
      const callee = compileExpression(node.name, compiler, scope);
      const args = children(node.args);
      const compiled = args === null ? null : compileList(args, compiler, scope);
      if (callee === null || compiled === null) return null;
      const label = node.name.typename === 'Symbol' ? String(node.name.value) : '--expression--';
      return (state) =>
        callWrap(
          callee(state),
          label,
          state.context,
          compiled.map((arg) => arg(state)),
        );
    }
    default:
      return null;
  }
}

function compileArithmetic(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): Expression | null {
  if (!isNode(node.left) || !isNode(node.right)) return null;
  const left = compileExpression(node.left, compiler, scope);
  const right = compileExpression(node.right, compiler, scope);
  if (left === null || right === null) return null;
  // The operators nunjucks emits, on whatever values it would have (JavaScript coercion included).
  switch (node.typename) {
    case 'Sub':
      return (state) => (left(state) as number) - (right(state) as number);
    case 'Div':
      return (state) => (left(state) as number) / (right(state) as number);
    case 'FloorDiv':
      return (state) => Math.floor((left(state) as number) / (right(state) as number));
    default:
      return (state) => (left(state) as number) ** (right(state) as number);
  }
}

function compileDict(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): Expression | null {
  const pairs = children(node);
  if (pairs === null) return null;
  const entries: Array<[string, Expression]> = [];
  for (const pair of pairs) {
    if (pair.typename !== 'Pair' || !isNode(pair.key) || !isNode(pair.value)) return null;
    const key = pair.key;
    const name = key.value;
    if ((key.typename !== 'Symbol' && key.typename !== 'Literal') || typeof name !== 'string') return null;
    if (name === '__proto__') return null;
    const value = compileExpression(pair.value, compiler, scope);
    if (value === null) return null;
    entries.push([name, value]);
  }
  const keywords = node.typename === 'KeywordArgs';
  return (state) => {
    // An object literal, as the generated code builds (so with Object.prototype).
    const out: Record<string, unknown> = {};
    for (const [name, value] of entries) out[name] = value(state);
    if (keywords) out.__keywords = true;
    return out;
  };
}

/** True when `error` only means "this render needs the nunjucks back end", not a template error. */
export function isUnsupportedRender(error: unknown): boolean {
  return error instanceof Unsupported;
}
