import Mustache from 'mustache';
import { PromptyError } from './errors.js';
import { parseJinja } from './render/nunjucks-env.js';
import { childNodes, isNode, type NunjucksNode } from './render/nunjucks-internals.js';
import { toTemplateEngine } from './render/render.js';

/** What a template reads, for `opm validate` (used-but-undeclared, declared-but-unused). */
export interface TemplateVariables {
  /** Top-level names the template reads from its inputs, sorted. Loop variables and `set` names are excluded. */
  used: string[];
}

const GLOBAL_FUNCTIONS = new Set(['range', 'super']);
/** jinja2 constants that parse as names. */
const CONSTANTS = new Set(['True', 'False', 'None']);

function jinjaVariables(template: string): Set<string> {
  const used = new Set<string>();
  const read = (node: NunjucksNode, locals: ReadonlySet<string>): void => {
    switch (node.typename) {
      case 'Symbol': {
        const name = String(node.value);
        if (!locals.has(name) && name !== 'loop' && !CONSTANTS.has(name)) used.add(name);
        return;
      }
      case 'Filter':
      case 'FunCall':
        if (
          node.typename === 'FunCall' &&
          isNode(node.name) &&
          !GLOBAL_FUNCTIONS.has(String(node.name.value))
        ) {
          read(node.name, locals);
        }
        if (isNode(node.args)) read(node.args, locals);
        return;
      case 'Is':
        if (isNode(node.left)) read(node.left, locals);
        if (isNode(node.right) && node.right.typename === 'FunCall' && isNode(node.right.args))
          read(node.right.args, locals);
        return;
      case 'LookupVal':
        if (isNode(node.target)) read(node.target, locals);
        if (isNode(node.val) && node.val.typename !== 'Literal') read(node.val, locals);
        return;
      case 'For': {
        const inner = new Set(locals);
        if (isNode(node.name)) {
          const names = node.name.typename === 'Symbol' ? [node.name] : childNodes(node.name);
          for (const n of names) inner.add(String(n.value));
        }
        const arr = node.arr;
        // `for x in items if cond`: the condition is evaluated per item, with the loop variables bound.
        if (isNode(arr) && arr.typename === 'InlineIf' && !isNode(arr.else_)) {
          if (isNode(arr.body)) read(arr.body, locals);
          if (isNode(arr.cond)) read(arr.cond, inner);
        } else if (isNode(arr)) read(arr, locals);
        if (isNode(node.body)) read(node.body, inner);
        if (isNode(node.else_)) read(node.else_, locals);
        return;
      }
      case 'Set': {
        if (isNode(node.value)) read(node.value, locals);
        if (isNode(node.body)) read(node.body, locals);
        // A top-level `set` makes the name local for the rest of the template.
        for (const target of node.targets as NunjucksNode[])
          (locals as Set<string>).add(String(target.value));
        return;
      }
      case 'Block':
        if (isNode(node.body)) read(node.body, new Set(locals));
        return;
      default:
        for (const child of childNodes(node)) read(child, locals);
    }
  };
  read(parseJinja(template), new Set());
  return used;
}

type Token = [string, string, number, number, Token[]?];

function mustacheVariables(template: string): Set<string> {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(template) as unknown as Token[];
  } catch (error) {
    throw new PromptyError('prompty.template_syntax', error instanceof Error ? error.message : String(error));
  }
  const used = new Set<string>();
  const visit = (list: Token[], depth: number): void => {
    for (const [type, name, , , children] of list) {
      const isRead = type === 'name' || type === '&' || type === '#' || type === '^';
      // Inside a section a bare name may be a field of the current item; only outer names are inputs.
      if (isRead && name !== '.' && depth === 0) used.add(name.split('.')[0] ?? name);
      if (children) visit(children, type === '#' ? depth + 1 : depth);
    }
  };
  visit(tokens, 0);
  return used;
}

/**
 * The input names a template reads. Robust to loops (`for x in items` reads `items`, `x` is local)
 * and `set`. Mustache names inside sections are not reported, since they may be item fields.
 *
 * `engine` is a `template.format.kind` (`jinja2`, `nunjucks` or `mustache`).
 *
 * @throws PromptyError `prompty.template_syntax` when the template does not parse, `prompty.unsupported`
 *   for an unknown engine.
 */
export function analyzeTemplateVariables(template: string, engine: string): TemplateVariables {
  const used =
    toTemplateEngine(engine) === 'mustache' ? mustacheVariables(template) : jinjaVariables(template);
  return { used: [...used].sort() };
}
