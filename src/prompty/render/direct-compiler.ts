import { isNode, type NunjucksNode, nunjucksInternals } from './nunjucks-internals.js';
import { isForbiddenKey } from './sandbox-policy.js';
import { callWrap, memberLookup, suppressValue } from './sandbox-runtime.js';

/**
 * A second back end for vetted, instrumented template ASTs: each template becomes one JavaScript
 * function of its own that builds its text with opm's lean runtime, instead of nunjucks' (Frames,
 * callbacks, `runtime.*` indirections). It follows the code nunjucks' compiler emits node by node, so
 * output is the same; it covers the nodes prompts use (output, conditions, loops, filters, tests,
 * lookups, literals, arithmetic) and declines the rest (`{% set %}`, blocks, `{% include %}`...), which
 * keep the nunjucks back end.
 *
 * The generated source holds nothing taken from the template: every literal, name and key is passed in
 * a constants array and read as `k[i]`, filters and tests as `f[i]`; the source itself is made of fixed
 * fragments, numbers this compiler computed and identifiers it chose.
 *
 * A render that throws is not trusted to throw the right error: callers run the nunjucks back end
 * again, which either produces the canonical error (with its position) or the output.
 */

type FilterFn = (this: unknown, ...args: unknown[]) => unknown;

/** What compiled templates need from the environment: its filters, tests and globals. */
export interface DirectEnvironment {
  filters: Readonly<Record<string, FilterFn>>;
  tests: Readonly<Record<string, FilterFn>>;
  globals: Readonly<Record<string, unknown>>;
}

/** The variables a render reads: own properties of `ctx`, and one `extra` variable looked up first. */
export interface DirectContext {
  readonly ctx: Record<string, unknown>;
  /** A variable looked up before `ctx` (the strict-mode nonce), so `ctx` need not be copied to add it. */
  readonly extra?: { readonly name: string; readonly value: string } | undefined;
}

/** A template compiled to a function: renders `context` to text, or throws. */
export type DirectTemplate = (context: DirectContext) => string;

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
  render: (context: DirectContext) => TrackedRender;
  /** Every piece of template text the render may print. */
  literals: readonly string[];
}

/** Runtime scope of a loop body (nunjucks pushes one frame per `{% for %}`). */
interface Scope {
  readonly vars: Record<string, unknown>;
  readonly parent: Scope | undefined;
}

/** Thrown inside a render for a case left to nunjucks (the caller re-renders there). */
class Unsupported extends Error {}

/** True when `error` only means "this render needs the nunjucks back end", not a template error. */
export function isUnsupportedRender(error: unknown): boolean {
  return error instanceof Unsupported;
}

function lookup(context: DirectContext, scope: Scope | undefined, name: string): unknown {
  for (let at = scope; at !== undefined; at = at.parent) {
    const value = at.vars[name];
    if (value !== undefined) return value;
  }
  const extra = context.extra;
  if (extra !== undefined && extra.name === name) return extra.value;
  const ctx = context.ctx;
  return Object.hasOwn(ctx, name) ? ctx[name] : undefined;
}

/** The sandbox's contextOrFrameLookup for a name that is also a global: frames, context, then the global. */
function lookupOrGlobal(
  context: DirectContext,
  scope: Scope | undefined,
  name: string,
  global: unknown,
): unknown {
  const value = lookup(context, scope, name);
  if (value !== undefined || Object.hasOwn(context.ctx, name) || context.extra?.name === name) return value;
  return global;
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

/** An object literal as the generated nunjucks code builds it (so with Object.prototype). */
function makeObject(keys: readonly string[], values: unknown[], keywords: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) out[keys[i] as string] = values[i];
  if (keywords) out.__keywords = true;
  return out;
}

/** The helpers generated code calls, as `h.<name>`. */
const HELPERS = Object.freeze({
  sv: suppressValue,
  ml: memberLookup,
  cw: callWrap,
  lk: lookup,
  lg: lookupOrGlobal,
  bl: bindLoop,
  obj: makeObject,
  inop: nunjucksInternals.runtime.inOperator as (key: unknown, value: unknown) => boolean,
  iter: nunjucksInternals.runtime.fromIterator as (value: unknown) => unknown,
  isArray: Array.isArray,
  keys: Object.keys,
  scope: (vars: Record<string, unknown>, parent: Scope | undefined): Scope => ({ vars, parent }),
  vars: (): Record<string, unknown> => Object.create(null),
  unsupported: () => new Unsupported(),
});

interface Compiler {
  readonly env: DirectEnvironment;
  /** Values the code reads as `k[i]`. */
  readonly constants: unknown[];
  /** Filters and tests the code calls as `f[i]`. */
  readonly functions: FilterFn[];
  /** Identifiers handed out so far (`s3`, `a3`...). */
  ids: number;
  /** Loop variable slots (`s<n>`) declared at the top of the function. */
  readonly slots: string[];
  /** Set for tracked renders: the variable whose printing is recorded, and the literals met. */
  readonly track?: { markVariable: string; literals: string[] };
}

/** Compile-time scope: loop variable names bound to slots, as nunjucks' compiler binds them to temporaries. */
interface CompileScope {
  readonly names: Map<string, string>;
  readonly parent: CompileScope | undefined;
}

function constant(compiler: Compiler, value: unknown): string {
  compiler.constants.push(value);
  return `k[${compiler.constants.length - 1}]`;
}

function fn(compiler: Compiler, value: FilterFn): string {
  let index = compiler.functions.indexOf(value);
  if (index === -1) {
    compiler.functions.push(value);
    index = compiler.functions.length - 1;
  }
  return `f[${index}]`;
}

function id(compiler: Compiler, prefix: string): string {
  compiler.ids++;
  return `${prefix}${compiler.ids}`;
}

function newCompiler(env: DirectEnvironment, markVariable?: string): Compiler {
  return {
    env,
    constants: [],
    functions: [],
    ids: 0,
    slots: [],
    ...(markVariable === undefined ? {} : { track: { markVariable, literals: [] } }),
  };
}

type Factory = (h: typeof HELPERS, k: unknown[], f: FilterFn[]) => (context: DirectContext) => unknown;

function build(compiler: Compiler, body: string, tracked: boolean): (context: DirectContext) => unknown {
  const declarations = compiler.slots.length > 0 ? `let ${compiler.slots.join(', ')};\n` : '';
  const start = tracked ? 'let ls = 0, ld = false;\nconst ck = [], mk = [];\n' : '';
  const end = tracked
    ? 'if (ld) ck.push(ls, out.length);\nreturn { text: out, checks: ck, marks: mk };'
    : 'return out;';
  const source = `"use strict";\nreturn function render(c) {\nlet out = "";\nlet sc;\n${declarations}${start}${body}${end}\n};`;
  // The source is made of this compiler's fragments only (see the module comment).
  const factory = new Function('h', 'k', 'f', source) as Factory;
  return factory(HELPERS, compiler.constants, compiler.functions);
}

/**
 * Compiles the AST nunjucks would compile (after `assertSandboxed`, `rewriteLoops` and
 * `instrumentAst`), or returns `null` when it holds a node this back end does not cover.
 */
export function compileDirect(root: NunjucksNode, env: DirectEnvironment): DirectTemplate | null {
  if (root.typename !== 'Root') return null;
  const compiler = newCompiler(env);
  const body = compileStatements(root, compiler, undefined);
  if (body === null) return null;
  return build(compiler, body, false) as DirectTemplate;
}

/**
 * {@link compileDirect} for renders that track lines ({@link TrackedRender}), recording where
 * `markVariable` is printed. `null` when the template holds a node this back end does not cover.
 */
export function compileTrackedDirect(
  root: NunjucksNode,
  env: DirectEnvironment,
  markVariable: string,
): TrackedTemplate | null {
  if (root.typename !== 'Root') return null;
  const compiler = newCompiler(env, markVariable);
  const body = compileStatements(root, compiler, undefined);
  if (body === null || compiler.track === undefined) return null;
  return {
    literals: compiler.track.literals,
    render: build(compiler, body, true) as TrackedTemplate['render'],
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
): string | null {
  const nodes = children(node);
  if (nodes === null) return null;
  let code = '';
  for (const child of nodes) {
    const statement = compileStatement(child, compiler, scope);
    if (statement === null) return null;
    code += statement;
  }
  return code;
}

function compileStatement(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): string | null {
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
): string | null {
  const nodes = children(node);
  if (nodes === null) return null;
  let code = '';
  const track = compiler.track;
  for (const child of nodes) {
    if (child.typename === 'TemplateData') {
      const text = child.value;
      if (typeof text !== 'string') return null;
      if (text === '') continue;
      const literal = constant(compiler, text);
      if (!track) {
        code += `out += ${literal};\n`;
        continue;
      }
      track.literals.push(text);
      const first = text.indexOf('\n');
      const last = text.lastIndexOf('\n');
      // A literal joins the line being written; its first newline ends that line.
      code +=
        first === -1
          ? `if (out.length > ls) ld = true;\nout += ${literal};\n`
          : `{ const at = out.length;\nif (ld || at > ls) ck.push(ls, at + ${first});\nls = at + ${last + 1};\nld = false;\nout += ${literal}; }\n`;
      continue;
    }
    const value = compileExpression(child, compiler, scope);
    if (value === null) return null;
    if (!track) {
      code += `out += h.sv(${value});\n`;
      continue;
    }
    const marks = child.typename === 'Symbol' && child.value === track.markVariable;
    // A printed value makes its line, and every line it holds, one a parser must read.
    code += `{ const t = h.sv(${value});\nif (t !== "") { const at = out.length;\n${marks ? 'mk.push(at);\n' : ''}out += t;\nld = true;\nif (t.indexOf("\\n") !== -1) { const nl = at + t.lastIndexOf("\\n");\nck.push(ls, nl);\nls = nl + 1; } } }\n`;
  }
  return code;
}

function compileIf(node: NunjucksNode, compiler: Compiler, scope: CompileScope | undefined): string | null {
  const condition = isNode(node.cond) ? compileExpression(node.cond, compiler, scope) : null;
  const body = isNode(node.body) ? compileStatement(node.body, compiler, scope) : null;
  if (condition === null || body === null) return null;
  if (node.else_ === null || node.else_ === undefined) return `if (${condition}) {\n${body}}\n`;
  const otherwise = isNode(node.else_) ? compileStatement(node.else_, compiler, scope) : null;
  if (otherwise === null) return null;
  return `if (${condition}) {\n${body}} else {\n${otherwise}}\n`;
}

function compileFor(node: NunjucksNode, compiler: Compiler, scope: CompileScope | undefined): string | null {
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
  // nunjucks sets `loop.index`... inside a variable named `loop`: on the item itself, or failing.
  if (names.includes('loop')) return null;
  const pairs = names.length === 2;
  // nunjucks compiles `else` in the loop's frame, reading the loop variables' temporaries; for pairs
  // those are the object branch's, a case left to it.
  if (pairs && node.else_ !== null && node.else_ !== undefined) return null;
  const iterable = compileExpression(node.arr, compiler, scope);
  if (iterable === null) return null;
  // Like nunjucks' temporaries, slots live as long as the render: an `else` reads what they last held.
  const slots = names.map(() => id(compiler, 's'));
  compiler.slots.push(...slots);
  const inner: CompileScope = {
    names: new Map(names.map((name, i) => [name, slots[i] as string])),
    parent: scope,
  };
  const body = isNode(node.body) ? compileStatement(node.body, compiler, inner) : null;
  if (body === null) return null;
  let otherwise = '';
  if (node.else_ !== null && node.else_ !== undefined) {
    const compiled = isNode(node.else_) ? compileStatement(node.else_, compiler, inner) : null;
    if (compiled === null) return null;
    otherwise = compiled;
  }
  const [first = '', second = ''] = slots;
  const [firstName = '', secondName = ''] = names.map((name) => constant(compiler, name));
  const outer = id(compiler, 'o');
  const vars = id(compiler, 'v');
  const items = id(compiler, 'a');
  // nunjucks' `var` length outlives the loop too: an `else` run again (in an outer loop) over nothing
  // reads the length of the last run that had items.
  const length = id(compiler, 'n');
  compiler.slots.push(length);
  const i = id(compiler, 'i');
  const loop = id(compiler, 'l');
  const item = id(compiler, 'x');
  const bindItem = pairs
    ? // nunjucks reads `item[0]`/`item[1]`; anything but an array is left to it.
      `if (!h.isArray(${item})) throw h.unsupported();\n${first} = ${item}[0];\n${second} = ${item}[1];\n${vars}[${firstName}] = ${first};\n${vars}[${secondName}] = ${second};\n`
    : `${first} = ${item};\n${vars}[${firstName}] = ${item};\n`;
  const objectBranch = pairs
    ? // An object iterated as `key, value` pairs: nunjucks walks it with for...in.
      `if (typeof ${items} !== "object") throw h.unsupported();\n${length} = h.keys(${items}).length;\nconst ${loop} = {};\nlet ${i} = -1;\nfor (const key in ${items}) {\n${i}++;\n${first} = key;\n${second} = ${items}[key];\n${vars}[${firstName}] = ${first};\n${vars}[${secondName}] = ${second};\n${vars}.loop = ${loop};\nh.bl(${loop}, undefined, ${i}, ${length});\n${body}}\n`
    : 'throw h.unsupported();\n';
  return (
    `{ const ${outer} = sc;\nconst ${vars} = h.vars();\nsc = h.scope(${vars}, ${outer});\n` +
    // Like nunjucks: iterables such as `x|safe` become arrays, and `loop` exists once an item is bound.
    `const ${items} = h.iter(${iterable});\n` +
    `if (${items}) {\nif (!h.isArray(${items})) {\n${objectBranch}} else {\n` +
    `${length} = ${items}.length;\nconst ${loop} = {};\n` +
    `for (let ${i} = 0; ${i} < ${items}.length; ${i}++) {\nconst ${item} = ${items}[${i}];\n${bindItem}` +
    `${vars}.loop = ${loop};\nh.bl(${loop}, ${items}, ${i}, ${length});\n${body}}\n}\n}\n` +
    (otherwise === '' ? '' : `if (!${length}) {\n${otherwise}}\n`) +
    `sc = ${outer}; }\n`
  );
}

function compileSymbol(name: string, compiler: Compiler, scope: CompileScope | undefined): string {
  for (let at = scope; at !== undefined; at = at.parent) {
    const slot = at.names.get(name);
    if (slot !== undefined) return slot;
  }
  // The sandbox's contextOrFrameLookup: forbidden names read nothing; then frames, context, globals.
  if (isForbiddenKey(name)) return 'undefined';
  const globals = compiler.env.globals;
  if (Object.hasOwn(globals, name)) {
    return `h.lg(c, sc, ${constant(compiler, name)}, ${constant(compiler, globals[name])})`;
  }
  return `h.lk(c, sc, ${constant(compiler, name)})`;
}

function compileList(
  nodes: NunjucksNode[],
  compiler: Compiler,
  scope: CompileScope | undefined,
): string[] | null {
  const out: string[] = [];
  for (const node of nodes) {
    const expression = compileExpression(node, compiler, scope);
    if (expression === null) return null;
    out.push(expression);
  }
  return out;
}

function compileExpression(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): string | null {
  switch (node.typename) {
    case 'Literal': {
      const value = node.value;
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) return null;
      return constant(compiler, value);
    }
    case 'Symbol':
      return typeof node.value === 'string' ? compileSymbol(node.value, compiler, scope) : null;
    case 'LookupVal': {
      if (!isNode(node.target) || !isNode(node.val)) return null;
      const target = compileExpression(node.target, compiler, scope);
      const key = compileExpression(node.val, compiler, scope);
      return target === null || key === null ? null : `h.ml(${target}, ${key})`;
    }
    case 'Filter': {
      const name = isNode(node.name) ? node.name.value : undefined;
      if (typeof name !== 'string' || !Object.hasOwn(compiler.env.filters, name)) return null;
      const args = isNode(node.args) ? children(node.args) : null;
      const compiled = args === null ? null : compileList(args, compiler, scope);
      if (compiled === null || compiled.length === 0) return null;
      return `${fn(compiler, compiler.env.filters[name] as FilterFn)}.call(c, ${compiled.join(', ')})`;
    }
    case 'Is': {
      const right = node.right;
      if (!isNode(right) || !isNode(node.left)) return null;
      const value = isNode(right.name) ? right.name.value : right.value;
      // `is none`, `is true`, `is false` parse as literals; nunjucks looks their test up by the printed value.
      const named =
        right.typename === 'Literal' && (value === null || typeof value === 'boolean')
          ? String(value)
          : value;
      if (typeof named !== 'string' || !Object.hasOwn(compiler.env.tests, named)) return null;
      const extra = isNode(right.args) ? children(right.args) : [];
      // nunjucks emits test arguments without separators, so only one compiles there.
      if (extra === null || extra.length > 1) return null;
      const args = compileList([node.left, ...extra], compiler, scope);
      if (args === null) return null;
      return `(${fn(compiler, compiler.env.tests[named] as FilterFn)}.call(c, ${args.join(', ')}) === true)`;
    }
    case 'In': {
      if (!isNode(node.left) || !isNode(node.right)) return null;
      const left = compileExpression(node.left, compiler, scope);
      const right = compileExpression(node.right, compiler, scope);
      return left === null || right === null ? null : `h.inop(${left}, ${right})`;
    }
    case 'Not': {
      const target = isNode(node.target) ? compileExpression(node.target, compiler, scope) : null;
      return target === null ? null : `(!${target})`;
    }
    case 'Neg':
    case 'Pos': {
      // nunjucks emits `- -x` as `--x`: a decrement of a loop variable's temporary, or an error.
      if (isNode(node.target) && node.target.typename === node.typename) return null;
      const target = isNode(node.target) ? compileExpression(node.target, compiler, scope) : null;
      if (target === null) return null;
      return node.typename === 'Neg' ? `(-${target})` : `(+${target})`;
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
      const otherwise = isNode(node.else_) ? compileExpression(node.else_, compiler, scope) : '""';
      if (condition === null || body === null || otherwise === null) return null;
      return `(${condition} ? ${body} : ${otherwise})`;
    }
    case 'Group': {
      const items = children(node);
      const compiled = items === null ? null : compileList(items, compiler, scope);
      if (compiled === null || compiled.length === 0) return null;
      return `(${compiled.join(', ')})`;
    }
    case 'Array': {
      const items = children(node);
      const compiled = items === null ? null : compileList(items, compiler, scope);
      return compiled === null ? null : `[${compiled.join(', ')}]`;
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
      return `h.cw(${callee}, ${constant(compiler, label)}, c, [${compiled.join(', ')}])`;
    }
    default:
      return null;
  }
}

function compileArithmetic(
  node: NunjucksNode,
  compiler: Compiler,
  scope: CompileScope | undefined,
): string | null {
  if (!isNode(node.left) || !isNode(node.right)) return null;
  const left = compileExpression(node.left, compiler, scope);
  const right = compileExpression(node.right, compiler, scope);
  if (left === null || right === null) return null;
  // The operators nunjucks emits, on whatever values it would have (JavaScript coercion included).
  switch (node.typename) {
    case 'Sub':
      return `(${left} - ${right})`;
    case 'Div':
      return `(${left} / ${right})`;
    case 'FloorDiv':
      return `Math.floor(${left} / ${right})`;
    default:
      return `Math.pow(${left}, ${right})`;
  }
}

function compileDict(node: NunjucksNode, compiler: Compiler, scope: CompileScope | undefined): string | null {
  const pairs = children(node);
  if (pairs === null) return null;
  const keys: string[] = [];
  const values: string[] = [];
  for (const pair of pairs) {
    if (pair.typename !== 'Pair' || !isNode(pair.key) || !isNode(pair.value)) return null;
    const key = pair.key;
    const name = key.value;
    if ((key.typename !== 'Symbol' && key.typename !== 'Literal') || typeof name !== 'string') return null;
    if (name === '__proto__') return null;
    const value = compileExpression(pair.value, compiler, scope);
    if (value === null) return null;
    keys.push(name);
    values.push(value);
  }
  const keywords = node.typename === 'KeywordArgs';
  return `h.obj(${constant(compiler, keys)}, [${values.join(', ')}], ${keywords})`;
}
