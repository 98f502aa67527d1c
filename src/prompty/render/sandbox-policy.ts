import { PromptyError } from '../errors.js';
import { childNodes, isNode, type NunjucksNode } from './nunjucks-internals.js';

/**
 * The static half of the template sandbox: an allowlist over the nunjucks AST, checked before any code
 * is generated. Whatever this lets through still runs against the guarded runtime in `sandbox-runtime.ts`.
 */

/** Node types a template may contain. Macros, imports, async tags and extensions are not among them. */
const ALLOWED_NODES = new Set([
  'Root',
  'NodeList',
  'Output',
  'TemplateData',
  'Literal',
  'Symbol',
  'Group',
  'Array',
  'Pair',
  'Dict',
  'LookupVal',
  'If',
  'InlineIf',
  'For',
  'FunCall',
  'Filter',
  'KeywordArgs',
  'Block',
  'Extends',
  'Include',
  'Set',
  'Switch',
  'Case',
  'Capture',
  'Or',
  'And',
  'Not',
  'In',
  'Is',
  'Add',
  'Concat',
  'Sub',
  'Mul',
  'Div',
  'FloorDiv',
  'Mod',
  'Pow',
  'Neg',
  'Pos',
  'Compare',
  'CompareOperand',
]);

/** Filters a template may use: nunjucks built-ins that neither call code nor allocate on demand. */
export const ALLOWED_FILTERS = new Set([
  'abs',
  'batch',
  'capitalize',
  'count',
  'default',
  'd',
  'dictsort',
  'dump',
  'escape',
  'e',
  'first',
  'float',
  'forceescape',
  'format',
  'indent',
  'int',
  'items',
  'join',
  'last',
  'length',
  'list',
  'lower',
  'map',
  'max',
  'min',
  'nl2br',
  'reject',
  'rejectattr',
  'replace',
  'reverse',
  'round',
  'safe',
  'select',
  'selectattr',
  'sort',
  'string',
  'striptags',
  'sum',
  'title',
  'tojson',
  'trim',
  'truncate',
  'unique',
  'upper',
  'urlencode',
  'wordcount',
  'groupby',
]);

/** Tests usable with `is`. */
export const ALLOWED_TESTS = new Set([
  'boolean',
  'callable',
  'defined',
  'divisibleby',
  'escaped',
  'equalto',
  'eq',
  'sameas',
  'even',
  'false',
  'falsy',
  'float',
  'ge',
  'gt',
  'greaterthan',
  'in',
  'integer',
  'iterable',
  'le',
  'lt',
  'lessthan',
  'lower',
  'mapping',
  'ne',
  'none',
  'null',
  'number',
  'odd',
  'sequence',
  'string',
  'true',
  'truthy',
  'undefined',
  'upper',
]);

/** Methods `x.name(...)` may call; jinja-methods.ts implements them over plain data. */
export const ALLOWED_METHODS: ReadonlySet<string> = new Set([
  'capitalize',
  'count',
  'cycle',
  'endswith',
  'find',
  'get',
  'items',
  'join',
  'keys',
  'lower',
  'lstrip',
  'replace',
  'rstrip',
  'split',
  'splitlines',
  'startswith',
  'strip',
  'title',
  'upper',
  'values',
]);

/** The only functions a template may call. `super` is rewritten by nunjucks into a block call. */
const CALLABLE_NAMES = new Set(['range', 'super']);

/** Internal filters the sandbox inserts; templates cannot name them because they are not allowlisted. */
export const INTERNAL_FILTERS = {
  iterate: 'opm__iterate',
  iteratePairs: 'opm__iterate_pairs',
  concat: 'opm__concat',
  add: 'opm__add',
  segment: 'opm__segment',
  slice: 'opm__slice',
  method: 'opm__method',
  mask: 'opm__mask',
  mod: 'opm__mod',
  mul: 'opm__mul',
  truthy: 'opm__truthy',
  compare: 'opm__compare',
} as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Property names that lead to prototypes, constructors or engine internals. */
export function isForbiddenKey(key: string): boolean {
  return (
    key.startsWith('__') ||
    key === 'constructor' ||
    key === 'prototype' ||
    key === 'caller' ||
    key === 'callee' ||
    key === 'arguments'
  );
}

function forbid(node: NunjucksNode, message: string): never {
  throw new PromptyError('prompty.template_forbidden', message, {
    details: { line: node.lineno + 1, column: node.colno + 1 },
  });
}

function symbolName(node: unknown): string | undefined {
  return isNode(node) && node.typename === 'Symbol' && typeof node.value === 'string'
    ? node.value
    : undefined;
}

/** `x.items()`-style calls of an allowlisted method: the method's name, else `undefined`. */
export function methodName(node: NunjucksNode): string | undefined {
  const callee = node.name;
  if (!isNode(callee) || callee.typename !== 'LookupVal' || !isNode(callee.target)) return undefined;
  const key = callee.val;
  const name =
    isNode(key) && key.typename === 'Literal' && typeof key.value === 'string' ? key.value : undefined;
  return name !== undefined && ALLOWED_METHODS.has(name) ? name : undefined;
}

function checkName(node: NunjucksNode, name: string, what: string): void {
  if (!IDENTIFIER.test(name) || isForbiddenKey(name)) forbid(node, `${what} "${name}" is not allowed`);
}

/**
 * Throws `prompty.template_forbidden` (with the 1-based template line and column) unless every node of
 * `ast` is on the allowlist.
 */
export function assertSandboxed(ast: NunjucksNode): void {
  const visit = (node: NunjucksNode): void => {
    if (!ALLOWED_NODES.has(node.typename)) forbid(node, `"${node.typename}" tags are not allowed`);
    switch (node.typename) {
      case 'Symbol':
        checkName(node, String(node.value), 'Variable');
        return;
      case 'Literal':
        // nunjucks has `r/.../` regex literals; an author-supplied regex is a ReDoS vector.
        if (node.value instanceof RegExp) forbid(node, 'Regular expression literals are not allowed');
        return;
      case 'Pair': {
        // A literal `{"__proto__": {...}}` would set the new object's prototype in the generated JS.
        const key = node.key;
        const name =
          isNode(key) && (key.typename === 'Literal' || key.typename === 'Symbol') ? key.value : undefined;
        if (typeof name === 'string' && isForbiddenKey(name)) forbid(node, `Key "${name}" is not allowed`);
        if (isNode(node.value)) visit(node.value);
        return;
      }
      case 'LookupVal': {
        const key = node.val;
        if (isNode(key) && key.typename === 'Literal' && typeof key.value === 'string') {
          if (isForbiddenKey(key.value)) forbid(node, `Attribute "${key.value}" is not allowed`);
        }
        break;
      }
      case 'Filter': {
        const name = symbolName(node.name) ?? '';
        if (!ALLOWED_FILTERS.has(name)) forbid(node, `Filter "${name}" is not allowed`);
        if (isNode(node.args)) visit(node.args);
        return;
      }
      case 'FunCall': {
        const method = methodName(node);
        if (method !== undefined && isNode(node.name)) visit(node.name.target as NunjucksNode);
        else {
          const name = symbolName(node.name);
          if (name === undefined || !CALLABLE_NAMES.has(name)) {
            forbid(
              node,
              'Function calls are not allowed in templates (only range(), super() and a few methods such as items())',
            );
          }
        }
        if (isNode(node.args)) visit(node.args);
        return;
      }
      case 'Is': {
        if (isNode(node.left)) visit(node.left);
        const test = isNode(node.right) && node.right.typename === 'FunCall' ? node.right.name : node.right;
        // `is none` / `is true` parse as literals; nunjucks looks the test up by the literal's text.
        const literal = isNode(test) && test.typename === 'Literal' ? String(test.value) : undefined;
        const name = symbolName(test) ?? literal ?? '';
        if (!ALLOWED_TESTS.has(name)) forbid(node, `Test "${name}" is not allowed`);
        if (isNode(node.right) && node.right.typename === 'FunCall' && isNode(node.right.args)) {
          visit(node.right.args);
        }
        return;
      }
      case 'Set':
        for (const target of node.targets as unknown[]) {
          const name = symbolName(target);
          if (name === undefined) forbid(node, 'Only plain variable names can be set');
          checkName(node, name, 'Variable');
        }
        break;
      case 'Block': {
        const name = symbolName(node.name) ?? '';
        checkName(node, name, 'Block');
        if (isNode(node.body)) visit(node.body);
        return;
      }
      default:
        break;
    }
    for (const child of childNodes(node)) visit(child);
  };
  visit(ast);
}
