import { createRequire } from 'node:module';
import type { NunjucksNode } from './nunjucks-internals.js';

/**
 * The nunjucks parser taught Python's subscript slices (`items[1:3]`, `s[::-1]`), which nunjucks
 * lacks. A slice parses to a `LookupVal` whose key is an `[start, stop, step]` array; it is recorded
 * in {@link SLICE_NODES} so the instrumenting pass can turn it into a budgeted slice call
 * (`pythonSlice` in python-values.ts).
 */

interface Token {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}

interface ParserInstance {
  peekToken(): Token;
  nextToken(): Token;
  skip(type: string): boolean;
  fail(message: string, lineno?: number, colno?: number): never;
  parseExpression(): NunjucksNode;
  parseSignature(): NunjucksNode;
  parseAsRoot(): NunjucksNode;
  parsePostfix(node: NunjucksNode): NunjucksNode;
  pushToken(tok: Token): void;
  extensions: unknown[];
}

type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => NunjucksNode;

const require = createRequire(import.meta.url);
const { Parser } = require('nunjucks/src/parser.js') as {
  Parser: new (tokens: unknown) => ParserInstance;
};
const lexer = require('nunjucks/src/lexer.js') as {
  lex(src: string, opts: Record<string, unknown>): unknown;
  TOKEN_COLON: string;
  TOKEN_LEFT_BRACKET: string;
  TOKEN_RIGHT_BRACKET: string;
  TOKEN_LEFT_PAREN: string;
  TOKEN_OPERATOR: string;
  TOKEN_SYMBOL: string;
  TOKEN_INT: string;
  TOKEN_FLOAT: string;
};
const nodes = require('nunjucks/src/nodes.js') as Record<string, NodeClass>;

/** `LookupVal` nodes that are slices, not plain subscripts. */
export const SLICE_NODES = new WeakSet<NunjucksNode>();

function node(type: string, at: Token, ...fields: unknown[]): NunjucksNode {
  const NodeClass = nodes[type];
  if (!NodeClass) throw new Error(`nunjucks has no ${type} node`);
  return new NodeClass(at.lineno, at.colno, ...fields);
}

function subscript(this: ParserInstance, target: NunjucksNode): NunjucksNode {
  const open = this.nextToken();
  const parts: (NunjucksNode | null)[] = [null, null, null];
  const startsExpression = () => {
    const next = this.peekToken();
    return next.type !== lexer.TOKEN_COLON && next.type !== lexer.TOKEN_RIGHT_BRACKET;
  };
  if (startsExpression()) parts[0] = this.parseExpression();
  let colons = 0;
  while (colons < 2 && this.skip(lexer.TOKEN_COLON)) {
    colons++;
    if (startsExpression()) parts[colons] = this.parseExpression();
  }
  if (!this.skip(lexer.TOKEN_RIGHT_BRACKET))
    this.fail('expected ] to close the subscript', open.lineno, open.colno);
  if (colons === 0) {
    if (!parts[0]) this.fail('expected an index inside []', open.lineno, open.colno);
    return node('LookupVal', open, target, parts[0]);
  }
  const bounds = parts.map((part) => part ?? node('Literal', open, null));
  const slice = node('LookupVal', open, target, node('Array', open, bounds));
  SLICE_NODES.add(slice);
  return slice;
}

/** nunjucks' `parsePostfix` with slice-aware subscripts and integer attributes (`items.0`). */
function parsePostfix(this: ParserInstance, start: NunjucksNode): NunjucksNode {
  let target = start;
  let tok = this.peekToken();
  while (tok) {
    if (tok.type === lexer.TOKEN_LEFT_PAREN) {
      target = node('FunCall', tok, target, this.parseSignature());
    } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
      target = subscript.call(this, target);
    } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
      this.nextToken();
      const name = this.nextToken();
      // jinja2 also reads `items.0` as an index.
      if (name.type === lexer.TOKEN_INT) {
        target = node('LookupVal', tok, target, node('Literal', name, Number(name.value)));
      } else if (name.type === lexer.TOKEN_FLOAT && /^\d+\.$/.test(name.value)) {
        // `items.1.name` lexes as `items`, `.`, `1.`, `name`: the index, then the next `.`.
        target = node('LookupVal', tok, target, node('Literal', name, Number.parseInt(name.value, 10)));
        this.pushToken({ ...name, type: lexer.TOKEN_OPERATOR, value: '.' });
      } else if (name.type !== lexer.TOKEN_SYMBOL) {
        this.fail(`expected name as lookup value, got ${name.value}`, name.lineno, name.colno);
      } else target = node('LookupVal', tok, target, node('Literal', name, name.value));
    } else break;
    tok = this.peekToken();
  }
  return target;
}

/** Parses a template like `nunjucks.parser.parse`, with slices. */
export function parseWithSlices(source: string, opts: Record<string, unknown>): NunjucksNode {
  const parser = new Parser(lexer.lex(source, opts));
  parser.parsePostfix = parsePostfix;
  return parser.parseAsRoot();
}
