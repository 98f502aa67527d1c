import { childNodes, isNode, type NunjucksNode } from './nunjucks-internals.js';
import { filterNode, makeNode } from './sandbox-instrument.js';
import { INTERNAL_FILTERS } from './sandbox-policy.js';

/**
 * Static provenance for `renderSegments`: which inputs each `{{ }}` output reads. Loop variables and
 * `{% set %}` names are traced back to the inputs they were taken from.
 */

type Scope = Map<string, ReadonlySet<string>>;

const NONE: ReadonlySet<string> = new Set();

function union(sets: Iterable<ReadonlySet<string>>): Set<string> {
  const out = new Set<string>();
  for (const set of sets) for (const name of set) out.add(name);
  return out;
}

function argsOf(node: NunjucksNode): NunjucksNode[] {
  return isNode(node.args) ? childNodes(node.args) : [];
}

/** The input names an expression reads. */
export function sourcesOf(node: NunjucksNode, scope: Scope): ReadonlySet<string> {
  switch (node.typename) {
    case 'Symbol': {
      const name = String(node.value);
      return scope.get(name) ?? (name === 'loop' ? NONE : new Set([name]));
    }
    case 'Literal':
    case 'TemplateData':
      return NONE;
    case 'LookupVal':
      return union([
        isNode(node.target) ? sourcesOf(node.target, scope) : NONE,
        isNode(node.val) ? sourcesOf(node.val, scope) : NONE,
      ]);
    case 'Filter':
    case 'FunCall':
      return union(argsOf(node).map((arg) => sourcesOf(arg, scope)));
    case 'Is': {
      const right = isNode(node.right) && node.right.typename === 'FunCall' ? argsOf(node.right) : [];
      return union([
        isNode(node.left) ? sourcesOf(node.left, scope) : NONE,
        ...right.map((a) => sourcesOf(a, scope)),
      ]);
    }
    default:
      return union(childNodes(node).map((child) => sourcesOf(child, scope)));
  }
}

function loopNames(node: NunjucksNode): string[] {
  if (!isNode(node.name)) return [];
  if (node.name.typename === 'Symbol') return [String(node.name.value)];
  return childNodes(node.name).map((child) => String(child.value));
}

/** Wraps every `{{ }}` output in the segment-recording filter, labelled with the inputs it reads. */
export function annotateSegments(ast: NunjucksNode): NunjucksNode {
  const walk = (node: NunjucksNode, scope: Scope): void => {
    switch (node.typename) {
      case 'Output':
        node.children = (node.children as NunjucksNode[]).map((child) =>
          child.typename === 'TemplateData'
            ? child
            : filterNode(child, INTERNAL_FILTERS.segment, [
                child,
                makeNode('Literal', child, [...sourcesOf(child, scope)].join(',')),
              ]),
        );
        return;
      case 'For': {
        const inner: Scope = new Map(scope);
        const from = isNode(node.arr) ? sourcesOf(node.arr, scope) : NONE;
        for (const name of loopNames(node)) inner.set(name, from);
        if (isNode(node.body)) walk(node.body, inner);
        if (isNode(node.else_)) walk(node.else_, scope);
        return;
      }
      case 'Set': {
        const from = isNode(node.value) ? sourcesOf(node.value, scope) : NONE;
        if (isNode(node.body)) walk(node.body, scope);
        for (const target of node.targets as NunjucksNode[]) scope.set(String(target.value), from);
        return;
      }
      default:
        for (const child of childNodes(node)) walk(child, scope);
    }
  };
  walk(ast, new Map());
  return ast;
}
