import { childNodes, isNode, type NunjucksNode } from './nunjucks-internals.js';
import { filterNode, makeNode } from './sandbox-instrument.js';
import { INTERNAL_FILTERS } from './sandbox-policy.js';

/**
 * AST rewrites that give nunjucks loops jinja2's meaning, applied after the sandbox vetted the
 * template. Generated names contain `$`, which no vetted template name can.
 *
 * - `{% for x in items if cond %}`: nunjucks reads `items if cond` as an inline `if` without `else`
 *   and silently loops over nothing; jinja2 filters the items first (so `loop.index` and
 *   `loop.length` count kept items). Rewritten to: evaluate `items` once, render a `1`/`0` mask
 *   with `cond` per item, then loop over the kept items.
 * - `{% set %}` inside a loop body: jinja2 scopes it to the iteration; nunjucks lets it leak out of
 *   the loop and carry over between iterations. Rewritten by renaming each name assigned in the body
 *   to an iteration-local name that starts from the outer value.
 */

function loopNames(loop: NunjucksNode): string[] {
  if (!isNode(loop.name)) return [];
  if (loop.name.typename === 'Symbol') return [String(loop.name.value)];
  return childNodes(loop.name).map((child) => String(child.value));
}

function symbol(at: NunjucksNode, name: string): NunjucksNode {
  return makeNode('Symbol', at, name);
}

function nodeList(at: NunjucksNode, children: NunjucksNode[]): NunjucksNode {
  return makeNode('NodeList', at, children);
}

function text(at: NunjucksNode, value: string): NunjucksNode {
  return makeNode('Output', at, [makeNode('TemplateData', at, value)]);
}

function loopName(at: NunjucksNode, names: string[]): NunjucksNode {
  if (names.length === 1) return symbol(at, names[0] ?? '');
  return makeNode(
    'Array',
    at,
    names.map((name) => symbol(at, name)),
  );
}

function isLoopFilter(node: NunjucksNode): boolean {
  return (
    node.typename === 'For' && isNode(node.arr) && node.arr.typename === 'InlineIf' && !isNode(node.arr.else_)
  );
}

function desugarLoopFilter(loop: NunjucksNode, id: number): NunjucksNode {
  const filter = loop.arr as NunjucksNode;
  const names = loopNames(loop);
  const items = `items$${id}`;
  const mask = `mask$${id}`;
  const keep = makeNode(
    'If',
    loop,
    filter.cond,
    nodeList(loop, [text(loop, '1')]),
    nodeList(loop, [text(loop, '0')]),
  );
  const maskLoop = makeNode(
    'For',
    loop,
    symbol(loop, items),
    loopName(loop, names),
    nodeList(loop, [keep]),
    null,
  );
  const setItems = makeNode('Set', loop, [symbol(loop, items)], filter.body);
  const setMask = makeNode('Set', loop, [symbol(loop, mask)], null);
  setMask.body = makeNode('Capture', loop, nodeList(loop, [maskLoop]));
  loop.arr = filterNode(loop, INTERNAL_FILTERS.mask, [
    symbol(loop, items),
    symbol(loop, mask),
    makeNode('Literal', loop, names.length > 1),
  ]);
  return nodeList(loop, [setItems, setMask, loop]);
}

/** Renames reads and writes of variable `from` to `to`, leaving filter, test, key and block names alone. */
function rename(node: NunjucksNode, from: string, to: string): void {
  const visit = (child: unknown) => {
    if (isNode(child)) rename(child, from, to);
  };
  switch (node.typename) {
    case 'Symbol':
      if (node.value === from) node.value = to;
      return;
    case 'Filter':
      visit(node.args);
      return;
    case 'FunCall':
      if (!isNode(node.name) || node.name.typename !== 'Symbol') visit(node.name);
      visit(node.args);
      return;
    case 'Is':
      visit(node.left);
      if (isNode(node.right) && node.right.typename === 'FunCall') visit(node.right.args);
      return;
    case 'Pair':
      if (!isNode(node.key) || node.key.typename !== 'Symbol') visit(node.key);
      visit(node.value);
      return;
    case 'Block':
      visit(node.body);
      return;
    case 'For':
      visit(node.arr);
      if (!loopNames(node).includes(from)) visit(node.body);
      visit(node.else_);
      return;
    default:
      for (const child of childNodes(node)) rename(child, from, to);
  }
}

/** Names `{% set %}` assigns in a loop body, not counting nested loops (their own scopes). */
function assignedNames(node: NunjucksNode, out: Set<string>): Set<string> {
  if (node.typename === 'Set') {
    for (const target of node.targets as NunjucksNode[]) out.add(String(target.value));
  }
  for (const child of childNodes(node)) if (child.typename !== 'For') assignedNames(child, out);
  return out;
}

function scopeLoopBody(loop: NunjucksNode, nextId: () => number): void {
  const body = loop.body;
  if (!isNode(body)) return;
  const children = body.children as NunjucksNode[];
  for (const name of assignedNames(body, new Set())) {
    if (name.includes('$')) continue; // already a generated name
    const local = `${name}$${nextId()}`;
    rename(body, name, local);
    children.unshift(makeNode('Set', body, [symbol(body, local)], symbol(body, name)));
  }
}

/** Applies both rewrites to a vetted AST (innermost loops first). */
export function rewriteLoops(ast: NunjucksNode): NunjucksNode {
  let id = 0;
  const nextId = () => ++id;
  const walk = (node: NunjucksNode): NunjucksNode => {
    for (const field of node.fields) {
      const value = node[field];
      if (isNode(value)) node[field] = walk(value);
      else if (Array.isArray(value)) node[field] = value.map((v) => (isNode(v) ? walk(v) : v));
    }
    if (node.typename === 'Set' && isNode(node.body)) node.body = walk(node.body);
    if (node.typename !== 'For') return node;
    scopeLoopBody(node, nextId);
    return isLoopFilter(node) ? desugarLoopFilter(node, nextId()) : node;
  };
  return walk(ast);
}
