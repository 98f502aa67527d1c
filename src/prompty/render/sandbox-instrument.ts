import { SLICE_NODES } from './jinja-parser.js';
import { fieldNames, isNode, type NunjucksNode, nunjucksInternals } from './nunjucks-internals.js';
import { INTERNAL_FILTERS, methodName } from './sandbox-policy.js';

/**
 * The rewriting half of the template sandbox: after `assertSandboxed` vetted an AST, loops, string
 * building, slices, method calls and `%` are routed through budgeted internal filters.
 */

/** jinja2's capitalised constants; nunjucks only knows `true`, `false` and `none`. */
const CONSTANTS: Record<string, boolean | null> = { True: true, False: false, None: null };

function pythonComparison(node: NunjucksNode): NunjucksNode {
  let left = node.expr as NunjucksNode;
  const steps = (node.ops as NunjucksNode[]).map((op) => {
    const step = filterNode(op, INTERNAL_FILTERS.compare, [
      left,
      makeNode('Literal', op, op.type),
      op.expr as NunjucksNode,
    ]);
    left = op.expr as NunjucksNode;
    return step;
  });
  // `a < b < c` is `a < b and b < c`.
  let result = steps.pop() as NunjucksNode;
  while (steps.length > 0) {
    const step = steps.pop() as NunjucksNode;
    result = makeNode('InlineIf', step, step, result, makeNode('Literal', step, false));
  }
  return result;
}

function truthy(node: NunjucksNode): NunjucksNode {
  return filterNode(node, INTERNAL_FILTERS.truthy, [node]);
}

export function filterNode(at: NunjucksNode, name: string, args: NunjucksNode[]): NunjucksNode {
  return makeNode('Filter', at, makeNode('Symbol', at, name), makeNode('NodeList', at, args));
}

export function makeNode(type: string, at: NunjucksNode, ...fields: unknown[]): NunjucksNode {
  const NodeClass = nunjucksInternals.nodes[type];
  if (!NodeClass) throw new Error(`nunjucks has no ${type} node`);
  return new NodeClass(at.lineno, at.colno, ...fields);
}

/**
 * Rewrites a vetted AST so that loops and string building go through budgeted runtime helpers:
 * `for` iterables are counted (and mappings iterate their keys, as in Jinja), `~` and `+` check size.
 */
export function instrumentAst(ast: NunjucksNode): NunjucksNode {
  const rewrite = (node: NunjucksNode): NunjucksNode => {
    for (const field of fieldNames(node)) {
      const value = node[field];
      if (isNode(value)) node[field] = rewrite(value);
      else if (Array.isArray(value)) node[field] = value.map((v) => (isNode(v) ? rewrite(v) : v));
    }
    if (node.typename === 'For' && isNode(node.arr)) {
      const single = isNode(node.name) && node.name.typename === 'Symbol';
      node.arr = filterNode(node.arr, single ? INTERNAL_FILTERS.iterate : INTERNAL_FILTERS.iteratePairs, [
        node.arr,
      ]);
    }
    const method = node.typename === 'FunCall' ? methodName(node) : undefined;
    if (method !== undefined && isNode(node.name) && isNode(node.name.target)) {
      const args = isNode(node.args) ? (node.args.children as NunjucksNode[]) : [];
      return filterNode(node, INTERNAL_FILTERS.method, [
        node.name.target,
        makeNode('Literal', node, method),
        ...args,
      ]);
    }
    // `==` is JS loose equality in nunjucks and `a < b < c` is `(a < b) < c`; compare as Python does.
    if (node.typename === 'Compare' && isNode(node.expr)) return pythonComparison(node);
    // Conditions test Python truthiness: empty lists and mappings are false (they are truthy in JS).
    if ((node.typename === 'If' || node.typename === 'InlineIf') && isNode(node.cond))
      node.cond = truthy(node.cond);
    if (node.typename === 'Not' && isNode(node.target)) node.target = truthy(node.target);
    // `a and b` / `a or b` return an operand, as in Python, and still short-circuit.
    if (node.typename === 'And' && isNode(node.left) && isNode(node.right)) {
      return makeNode('InlineIf', node, truthy(node.left), node.right, node.left);
    }
    if (node.typename === 'Or' && isNode(node.left) && isNode(node.right)) {
      return makeNode('InlineIf', node, truthy(node.left), node.left, node.right);
    }
    if (
      node.typename === 'Symbol' &&
      typeof node.value === 'string' &&
      Object.hasOwn(CONSTANTS, node.value)
    ) {
      return makeNode('Literal', node, CONSTANTS[node.value]);
    }
    if (node.typename === 'Mul' && isNode(node.left) && isNode(node.right)) {
      return filterNode(node, INTERNAL_FILTERS.mul, [node.left, node.right]);
    }
    if (node.typename === 'Mod' && isNode(node.left) && isNode(node.right)) {
      // `"%s-%s" % (a, b)`: nunjucks reads the tuple as a JS comma expression; pass its items instead.
      const right = node.right;
      const tuple = right.typename === 'Group' && (right.children as NunjucksNode[]).length > 1;
      const args = tuple ? makeNode('Array', right, right.children) : right;
      return filterNode(node, INTERNAL_FILTERS.mod, [node.left, args, makeNode('Literal', node, tuple)]);
    }
    if (SLICE_NODES.has(node) && isNode(node.target) && isNode(node.val)) {
      const bounds = node.val.children as NunjucksNode[];
      return filterNode(node, INTERNAL_FILTERS.slice, [node.target, ...bounds]);
    }
    if ((node.typename === 'Concat' || node.typename === 'Add') && isNode(node.left) && isNode(node.right)) {
      const name = node.typename === 'Concat' ? INTERNAL_FILTERS.concat : INTERNAL_FILTERS.add;
      return filterNode(node, name, [node.left, node.right]);
    }
    return node;
  };
  return rewrite(ast);
}
