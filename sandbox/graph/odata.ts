// OData query options as Microsoft Graph v1.0 applies them to directory objects: $select, $top, $filter (a small
// but real grammar: eq/ne, startswith, and/or/not, parentheses, '' quote doubling, typed literals such as unquoted
// GUIDs, the `any` lambda operator on collections), $search ("prop:term" with ConsistencyLevel: eventual), $count,
// $orderby, and @odata.nextLink paging with an opaque $skiptoken.
// Sources: microsoft-graph-docs-contrib concepts/query-parameters.md, concepts/filter-query-parameter.md ("Filter
// using lambda operators"), concepts/aad-advanced-queries.md, concepts/search-query-parameter.md, concepts/paging.md.
import { createHash } from 'node:crypto';
import { graphError } from '../errors';
import type { SandboxRequest, SandboxResponse } from '../router';

/** Thrown by route code; the route wrapper turns it into the answer. */
export class GraphFailure extends Error {
  constructor(readonly response: SandboxResponse) {
    super(`graph failure ${response.status}`);
  }
}

export function fail(req: SandboxRequest, status: number, code: string, message: string, headers: Record<string, string> = {}): never {
  throw new GraphFailure(graphError(req, status, code, message, headers));
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string): boolean => GUID.test(s);

// ---- options and checks -----------------------------------------------------------------------------------

const KNOWN_OPTIONS = new Set(['$select', '$top', '$filter', '$search', '$count', '$orderby', '$expand', '$skiptoken', '$format']);

/** Rejects system query options Graph does not support on directory collections (e.g. `$skip`). */
export function checkOptions(req: SandboxRequest, allowed: readonly string[]): void {
  for (const key of req.query.keys()) {
    if (!key.startsWith('$')) continue;
    const k = key.toLowerCase();
    if (k === '$skip') fail(req, 400, 'Request_BadRequest', "'$skip' is not supported by the service.");
    if (!KNOWN_OPTIONS.has(k)) fail(req, 400, 'BadRequest', `The query specified in the URI is not valid. The query parameter '${key}' is not supported.`);
    if (!allowed.includes(k)) fail(req, 400, 'Request_BadRequest', `The query parameter '${key}' is not supported on this resource.`);
  }
}

/** A query option, looked up case-insensitively (`$Top` works like `$top`). */
export function option(req: SandboxRequest, name: string): string | undefined {
  for (const [k, v] of req.query) if (k.toLowerCase() === name) return v;
  return undefined;
}

export function isEventual(req: SandboxRequest): boolean {
  return (req.headers.consistencylevel ?? '').trim().toLowerCase() === 'eventual';
}

/** `$count=true` with `ConsistencyLevel: eventual`: an advanced query (without the header `$count` is ignored). */
export function wantsCount(req: SandboxRequest): boolean {
  const c = option(req, '$count');
  if (c === undefined) return false;
  if (!/^(true|false)$/i.test(c)) fail(req, 400, 'BadRequest', `Invalid value '${c}' for $count query option found. Valid values are 'true', 'false'.`);
  return c.toLowerCase() === 'true' && isEventual(req);
}

/** `$top`: default `defaultSize`, 1..max (999 for directory collections). */
export function parseTop(req: SandboxRequest, defaultSize = 100, max = 999): number {
  const raw = option(req, '$top');
  if (raw === undefined) return defaultSize;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    fail(req, 400, 'Request_UnsupportedQuery', `Invalid page size specified: '${raw}'. Must be between 1 and ${max} inclusive.`);
  }
  return n;
}

/** `$select`: validated property names (case-insensitive, answered in the property's own spelling). */
export function parseSelect(req: SandboxRequest, raw: string | undefined, properties: readonly string[], type: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const out: string[] = [];
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (part === '*') return undefined;
    const found = properties.find((p) => p.toLowerCase() === part.toLowerCase());
    if (!found) fail(req, 400, 'BadRequest', `Could not find a property named '${part}' on type 'microsoft.graph.${type}'.`);
    if (!out.includes(found)) out.push(found);
  }
  return out.length > 0 ? out : undefined;
}

export function project(entity: Record<string, unknown>, select: readonly string[] | undefined, defaults?: readonly string[]): Record<string, unknown> {
  const keys = select ?? defaults;
  if (!keys) return entity;
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = entity[k] === undefined ? null : entity[k];
  return out;
}

// ---- $filter ------------------------------------------------------------------------------------------------

/**
 * A literal that is not a string, boolean or null, typed as OData types it. An unquoted GUID is Edm.Guid: Graph
 * compares Edm.Guid properties (appRoleAssignment principalId, resourceId, appRoleId) only with those.
 */
export interface TypedLiteral {
  readonly type: 'Edm.Guid' | 'Edm.Int32' | 'Edm.Int64' | 'Edm.Double' | 'Edm.Date' | 'Edm.DateTimeOffset';
  readonly text: string;
}

export type FilterValue = string | boolean | null | TypedLiteral;

export type FilterExpr =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly kind: 'not'; readonly expr: FilterExpr }
  | { readonly kind: 'cmp'; readonly op: 'eq' | 'ne'; readonly property: string; readonly value: FilterValue }
  | { readonly kind: 'startswith'; readonly property: string; readonly value: string }
  // `collection/any(v:predicate)`; inside, `v` is an element and `v/sub` a property of one. `any()` asks for a non-empty collection.
  | { readonly kind: 'lambda'; readonly collection: string; readonly operator: 'any' | 'all'; readonly variable?: string; readonly predicate?: FilterExpr }
  // Valid OData the emulator does not implement (gt, in, has, arithmetic, endswith, contains, …): Graph's "not supported".
  | { readonly kind: 'unsupported'; readonly construct: string; readonly property?: string };

type Token =
  | { readonly t: 'id' | 'str' | '(' | ')' | ',' | ':'; readonly v: string; readonly pos: number }
  | { readonly t: 'lit'; readonly v: string; readonly pos: number; readonly type: TypedLiteral['type'] };

class FilterSyntaxError extends Error {}

const ID_CHAR = /[A-Za-z0-9_.\-/$]/;

// Unquoted literals (OData ABNF, odata-abnf-construction-rules: guidValue, dateTimeOffsetValue, dateValue, numbers),
// in the order they must be tried: a GUID or a date also starts like a number.
const TYPED_LITERALS: readonly (readonly [RegExp, TypedLiteral['type']])[] = [
  [/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, 'Edm.Guid'],
  [/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/i, 'Edm.DateTimeOffset'],
  [/^\d{4}-\d{2}-\d{2}/, 'Edm.Date'],
  [/^-?\d+\.\d+(?:e[+-]?\d+)?/i, 'Edm.Double'],
  [/^-?\d+/, 'Edm.Int32'],
];

/** A typed literal starting at `s[i]`, if one ends where a word would (`00000000-…` yes, `0abc` no). */
function typedLiteral(s: string, i: number): { text: string; type: TypedLiteral['type'] } | undefined {
  const rest = s.slice(i);
  for (const [re, type] of TYPED_LITERALS) {
    const text = re.exec(rest)?.[0];
    if (text === undefined || ID_CHAR.test(rest[text.length] ?? ' ')) continue;
    const big = type === 'Edm.Int32' && Math.abs(Number(text)) > 2 ** 31 - 1;
    return { text, type: big ? 'Edm.Int64' : type };
  }
  return undefined;
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === ',' || c === ':') {
      out.push({ t: c, v: c, pos: i });
      i++;
    } else if (c === "'") {
      const start = i;
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw new FilterSyntaxError(`There is an unterminated string literal at position ${start} in '${s}'.`);
        if (s[i] === "'") {
          if (s[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i];
        i++;
      }
      out.push({ t: 'str', v, pos: start });
    } else if (ID_CHAR.test(c)) {
      const start = i;
      const typed = /[0-9a-fA-F-]/.test(c) ? typedLiteral(s, i) : undefined;
      if (typed) {
        i += typed.text.length;
        out.push({ t: 'lit', v: typed.text, pos: start, type: typed.type });
        continue;
      }
      while (i < s.length && ID_CHAR.test(s[i] as string)) i++;
      out.push({ t: 'id', v: s.slice(start, i), pos: start });
    } else {
      throw new FilterSyntaxError(`Syntax error: character '${c}' is not valid at position ${i} in '${s}'.`);
    }
  }
  return out;
}

const RELATIONAL = new Set(['gt', 'ge', 'lt', 'le', 'has']);
const ARITHMETIC = new Set(['add', 'sub', 'mul', 'div', 'mod']);
/** OData's built-in functions (odata-v4.01 part 2, URL conventions 5.1.1.5-5.1.1.11): valid, whether implemented or not. */
const ODATA_FUNCTIONS = new Set([
  'contains',
  'endswith',
  'startswith',
  'length',
  'indexof',
  'substring',
  'matchespattern',
  'tolower',
  'toupper',
  'trim',
  'concat',
  'hassubset',
  'hassubsequence',
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'fractionalseconds',
  'totalseconds',
  'date',
  'time',
  'totaloffsetminutes',
  'now',
  'mindatetime',
  'maxdatetime',
  'round',
  'floor',
  'ceiling',
  'cast',
  'isof',
]);

/** A function argument or the left side of a comparison. */
type Operand = { kind: 'property'; name: string } | { kind: 'literal'; value: FilterValue } | { kind: 'call'; name: string; args: Operand[] };

const firstOperandProperty = (o: Operand): string | undefined =>
  o.kind === 'property' ? o.name : o.kind === 'call' ? o.args.map(firstOperandProperty).find((p) => p !== undefined) : undefined;

/**
 * Parses a `$filter` expression. Only real syntax errors (and OData's own binding errors: unknown functions, wrong
 * function signatures) answer 400 BadRequest "Invalid filter clause"; valid OData the emulator does not implement
 * becomes an `unsupported` node, which compileFilter answers as Graph does (400 Request_UnsupportedQuery).
 */
export function parseFilter(req: SandboxRequest, raw: string): FilterExpr {
  try {
    const tokens = tokenize(raw);
    let p = 0;
    const peek = (ahead = 0): Token | undefined => tokens[p + ahead];
    const kw = (v: string) => peek()?.t === 'id' && peek()?.v.toLowerCase() === v;
    const word = (): string => {
      const tok = peek();
      return tok?.t === 'id' ? tok.v.toLowerCase() : '';
    };
    const syntax = (tok: Token | undefined) => new FilterSyntaxError(`Syntax error at position ${tok ? tok.pos : raw.length} in '${raw}'.`);
    const expect = (t: Token['t']): Token => {
      const tok = tokens[p];
      if (!tok || tok.t !== t) throw syntax(tok);
      p++;
      return tok;
    };
    const literal = (): FilterValue => {
      const tok = tokens[p];
      if (!tok) throw new FilterSyntaxError(`Expression expected at position ${raw.length} in '${raw}'.`);
      p++;
      if (tok.t === 'str') return tok.v;
      if (tok.t === 'lit') return { type: tok.type, text: tok.v };
      if (tok.t === 'id' && /^(true|false)$/i.test(tok.v)) return tok.v.toLowerCase() === 'true';
      if (tok.t === 'id' && tok.v.toLowerCase() === 'null') return null;
      throw syntax(tok);
    };
    const operand = (): Operand => {
      const tok = peek();
      if (tok?.t === 'id' && peek(1)?.t === '(') {
        const name = tok.v.toLowerCase();
        if (!ODATA_FUNCTIONS.has(name)) {
          throw new FilterSyntaxError(
            `An unknown function with name '${tok.v}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
          );
        }
        p += 2;
        const args: Operand[] = [];
        if (peek()?.t !== ')') {
          args.push(operand());
          while (peek()?.t === ',') {
            p++;
            args.push(operand());
          }
        }
        expect(')');
        return { kind: 'call', name, args };
      }
      if (tok?.t === 'id' && !/^(true|false|null)$/i.test(tok.v)) {
        p++;
        return { kind: 'property', name: tok.v };
      }
      return { kind: 'literal', value: literal() };
    };
    const lambda = (collection: string, operator: 'any' | 'all'): FilterExpr => {
      p += 2;
      if (peek()?.t === ')') {
        if (operator === 'all') throw syntax(peek());
        p++;
        return { kind: 'lambda', collection, operator };
      }
      const variable = expect('id');
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable.v)) throw syntax(variable);
      expect(':');
      const predicate = or();
      expect(')');
      return { kind: 'lambda', collection, operator, variable: variable.v, predicate };
    };
    const primary = (): FilterExpr => {
      if (peek()?.t === '(') {
        p++;
        const e = or();
        expect(')');
        return e;
      }
      if (kw('not')) {
        p++;
        return { kind: 'not', expr: primary() };
      }
      const first = peek();
      if (first?.t !== 'id') throw syntax(first);
      const path = /^(.+)\/(any|all)$/i.exec(first.v);
      if (path && peek(1)?.t === '(') return lambda(path[1] as string, (path[2] as string).toLowerCase() as 'any' | 'all');
      const left = operand();
      if (left.kind === 'literal') throw syntax(first);
      const property = firstOperandProperty(left);
      const unsupported = (construct: string): FilterExpr => ({ kind: 'unsupported', construct, property });
      const op = word();
      if (op === 'eq' || op === 'ne') {
        p++;
        const value = literal();
        return left.kind === 'property' ? { kind: 'cmp', op, property: left.name, value } : unsupported(left.name);
      }
      if (RELATIONAL.has(op)) {
        p++;
        literal();
        return unsupported(op);
      }
      if (op === 'in') {
        p++;
        expect('(');
        literal();
        while (peek()?.t === ',') {
          p++;
          literal();
        }
        expect(')');
        return unsupported(op);
      }
      if (ARITHMETIC.has(op)) {
        p++;
        literal();
        const cmp = word();
        if (cmp !== 'eq' && cmp !== 'ne' && !RELATIONAL.has(cmp)) throw syntax(peek());
        p++;
        literal();
        return unsupported(op);
      }
      if (left.kind === 'call' && left.name === 'startswith') {
        const [a, b] = left.args;
        if (left.args.length !== 2 || left.args.some((x) => x.kind === 'literal' && typeof x.value !== 'string')) {
          throw new FilterSyntaxError("No function signature for the function with name 'startswith' matches the specified arguments.");
        }
        if (a?.kind === 'property' && b?.kind === 'literal' && typeof b.value === 'string') return { kind: 'startswith', property: a.name, value: b.value };
        return unsupported(left.name);
      }
      if (left.kind === 'call') return unsupported(left.name);
      throw syntax(peek());
    };
    const and = (): FilterExpr => {
      let left = primary();
      while (kw('and')) {
        p++;
        left = { kind: 'and', left, right: primary() };
      }
      return left;
    };
    const or = (): FilterExpr => {
      let left = and();
      while (kw('or')) {
        p++;
        left = { kind: 'or', left, right: and() };
      }
      return left;
    };
    const e = or();
    if (p !== tokens.length) throw syntax(tokens[p]);
    return e;
  } catch (e) {
    if (e instanceof FilterSyntaxError) fail(req, 400, 'BadRequest', `Invalid filter clause: ${e.message}`);
    throw e;
  }
}

/** A property `$filter` compares: its value and the operators supported without advanced queries. */
export interface ScalarFilterField<T> {
  readonly get: (item: T) => string | boolean | null | undefined;
  readonly ops: readonly ('eq' | 'startswith')[];
  /** Case-sensitive comparison (Graph compares directory strings case-insensitively by default). */
  readonly caseSensitive?: boolean;
  /** An Edm.Guid property compares only with unquoted GUID literals; a quoted one is Edm.String, a type error. */
  readonly type?: 'Edm.Guid';
}

/**
 * A collection property `$filter` reaches through the `any` lambda operator (microsoft-graph-docs-contrib
 * concepts/filter-query-parameter.md, "Filter using lambda operators"; Graph does not support `all`).
 * `element` is what the range variable offers: `''` a primitive element itself (`c eq 'x'`), other keys the
 * properties of a complex element (`f/subject eq 'x'`); their `get` receives one of `items`.
 */
export interface CollectionFilterField<T> {
  readonly items: (item: T) => readonly unknown[];
  readonly element: Readonly<Record<string, ScalarFilterField<never>>>;
  /** Only in advanced queries (concepts/aad-advanced-queries.md: ConsistencyLevel: eventual and $count=true). */
  readonly advanced?: boolean;
}

export type FilterField<T> = ScalarFilterField<T> | CollectionFilterField<T>;

/** Where a property path is resolved: the collection's items, or the elements inside a lambda. */
interface FilterScope<U> {
  readonly lookup: (property: string) => FilterField<U> | undefined;
  /** How an error message names the property (a lambda's `f/subject` as `federatedIdentityCredentials/subject`). */
  readonly name: (property: string) => string;
}

const byName = <F>(fields: Readonly<Record<string, F>>, prop: string): F | undefined =>
  Object.entries(fields).find(([k]) => k.toLowerCase() === prop.toLowerCase())?.[1];

const typeOf = (v: FilterValue): string | undefined =>
  v === null ? undefined : typeof v === 'string' ? 'Edm.String' : typeof v === 'boolean' ? 'Edm.Boolean' : v.type;

/**
 * Compiles a filter to a predicate. Unsupported properties, operators and functions answer Graph's 400
 * Request_UnsupportedQuery; comparing across types (a quoted value with an Edm.Guid property) answers OData's
 * 400 BadRequest "A binary operator with incompatible types was detected".
 */
export function compileFilter<T>(
  req: SandboxRequest,
  expr: FilterExpr,
  fields: Readonly<Record<string, FilterField<T>>>,
  resource: string,
  advanced: boolean,
): (item: T) => boolean {
  const unsupported = (prop: string | undefined): never =>
    prop
      ? fail(req, 400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${prop}' of resource '${resource}'.`)
      : fail(req, 400, 'Request_UnsupportedQuery', 'Unsupported query.');
  const norm = (v: unknown, cs: boolean | undefined): unknown =>
    v !== null && typeof v === 'object' ? (v as TypedLiteral).text.toLowerCase() : typeof v === 'string' && !cs ? v.toLowerCase() : (v ?? null);
  const checkTypes = (f: ScalarFilterField<unknown>, op: 'eq' | 'ne', value: FilterValue): void => {
    const valueType = typeOf(value);
    if (valueType === undefined) return;
    const mismatch = f.type === 'Edm.Guid' ? valueType !== 'Edm.Guid' : typeof value === 'object';
    if (!mismatch) return;
    fail(
      req,
      400,
      'BadRequest',
      `A binary operator with incompatible types was detected. Found operand types '${f.type ?? 'Edm.String'}' and '${valueType}' for operator kind '${op === 'eq' ? 'Equal' : 'NotEqual'}'.`,
    );
  };
  function build<U>(e: FilterExpr, scope: FilterScope<U>): (item: U) => boolean {
    const scalar = (prop: string, op: 'eq' | 'startswith'): ScalarFilterField<U> => {
      const f = scope.lookup(prop);
      if (!f || !('get' in f) || !f.ops.includes(op)) return unsupported(scope.name(prop));
      return f;
    };
    switch (e.kind) {
      case 'and': {
        const l = build(e.left, scope),
          r = build(e.right, scope);
        return (x) => l(x) && r(x);
      }
      case 'or': {
        const l = build(e.left, scope),
          r = build(e.right, scope);
        return (x) => l(x) || r(x);
      }
      case 'not': {
        if (!advanced) return unsupported(scope.name(firstProperty(e.expr) ?? ''));
        const inner = build(e.expr, scope);
        return (x) => !inner(x);
      }
      case 'cmp': {
        const f = scalar(e.property, 'eq');
        checkTypes(f as ScalarFilterField<unknown>, e.op, e.value);
        if (e.op === 'ne' && !advanced) return unsupported(scope.name(e.property));
        const want = norm(e.value, f.caseSensitive);
        return e.op === 'eq' ? (x) => norm(f.get(x), f.caseSensitive) === want : (x) => norm(f.get(x), f.caseSensitive) !== want;
      }
      case 'startswith': {
        const f = scalar(e.property, 'startswith');
        const want = e.value.toLowerCase();
        return (x) => {
          const v = f.get(x);
          return typeof v === 'string' && v.toLowerCase().startsWith(want);
        };
      }
      case 'lambda': {
        const f = scope.lookup(e.collection);
        // Graph supports `any` with a predicate only (emptiness is `/$count eq 0`); `all`, a bare `any()` and lambdas
        // over other properties are "not supported".
        const { variable, predicate } = e;
        if (!f || !('items' in f) || e.operator !== 'any' || variable === undefined || predicate === undefined || (f.advanced && !advanced)) {
          return unsupported(scope.name(e.collection));
        }
        // The element fields take an element of `items` (typed `never` so that any element type fits the config).
        const element = f.element as Readonly<Record<string, ScalarFilterField<unknown>>>;
        const sub = (prop: string): string | undefined => (prop.startsWith(`${variable}/`) ? prop.slice(variable.length + 1) : undefined);
        const test = build<unknown>(predicate, {
          lookup: (prop) => (prop === variable ? element[''] : sub(prop) !== undefined ? byName(element, sub(prop) as string) : undefined),
          name: (prop) => (prop === variable ? scope.name(e.collection) : sub(prop) !== undefined ? `${scope.name(e.collection)}/${sub(prop)}` : prop),
        });
        return (x) => f.items(x).some(test);
      }
      case 'unsupported':
        return unsupported(e.property === undefined ? undefined : scope.name(e.property));
    }
  }
  return build<T>(expr, { lookup: (prop) => byName(fields, prop), name: (prop) => prop });
}

function firstProperty(e: FilterExpr): string | undefined {
  switch (e.kind) {
    case 'and':
    case 'or':
      return firstProperty(e.left);
    case 'not':
      return firstProperty(e.expr);
    case 'lambda':
      return e.collection;
    default:
      return e.property;
  }
}

// ---- $search --------------------------------------------------------------------------------------------------

export interface SearchClause {
  readonly property: string;
  readonly term: string;
}

/** `"displayName:web" OR "description:x"` (AND binds tighter); `\"` and `\\` escape inside a clause. */
export function parseSearch(req: SandboxRequest, raw: string, properties: readonly string[]): SearchClause[][] {
  const bad = (why: string): never => fail(req, 400, 'Request_UnsupportedQuery', `Unsupported or invalid $search query: ${why}`);
  const groups: SearchClause[][] = [[]];
  let i = 0;
  const s = raw.trim();
  const skip = () => {
    while (s[i] === ' ') i++;
  };
  for (;;) {
    skip();
    if (s[i] !== '"') bad('each search clause must be a double-quoted "property:term".');
    i++;
    let text = '';
    for (;;) {
      if (i >= s.length) bad('unterminated search clause.');
      const c = s[i] as string;
      if (c === '\\' && i + 1 < s.length) {
        text += s[i + 1];
        i += 2;
        continue;
      }
      if (c === '"') {
        i++;
        break;
      }
      text += c;
      i++;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) bad(`the clause "${text}" must name a property, as in "displayName:${text}".`);
    const prop = properties.find((p) => p.toLowerCase() === text.slice(0, colon).trim().toLowerCase());
    if (!prop) bad(`the property '${text.slice(0, colon)}' does not support $search.`);
    (groups[groups.length - 1] as SearchClause[]).push({ property: prop as string, term: text.slice(colon + 1) });
    skip();
    if (i >= s.length) break;
    const word = /^(AND|OR)\b/.exec(s.slice(i));
    if (!word) bad(`expected AND or OR at position ${i}.`);
    i += (word as RegExpExecArray)[0].length;
    if ((word as RegExpExecArray)[1] === 'OR') groups.push([]);
  }
  return groups;
}

/** Graph tokenises displayName/description for $search: words split on spaces, symbols and case changes. */
export function searchTokens(value: string): string[] {
  return value
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((t) => t.toLowerCase());
}

export function searchMatcher<T>(groups: SearchClause[][], get: (item: T, property: string) => string | null | undefined): (item: T) => boolean {
  const compiled = groups.map((g) => g.map((c) => ({ property: c.property, terms: searchTokens(c.term) })));
  return (item) =>
    compiled.some((g) =>
      g.every((c) => {
        const tokens = searchTokens(get(item, c.property) ?? '');
        return c.terms.length > 0 && c.terms.every((t) => tokens.some((tok) => tok.startsWith(t)));
      }),
    );
}

// ---- $orderby -----------------------------------------------------------------------------------------------

export interface OrderBy {
  readonly property: string;
  readonly descending: boolean;
}

export function parseOrderBy(req: SandboxRequest, raw: string | undefined, sortable: readonly string[], resource: string): OrderBy | undefined {
  if (raw === undefined) return undefined;
  const m = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  const prop = m ? sortable.find((p) => p.toLowerCase() === (m[1] as string).toLowerCase()) : undefined;
  if (!m || !prop) fail(req, 400, 'Request_UnsupportedQuery', `Unsupported sort property '${raw.trim()}' for '${resource}'.`);
  return { property: prop as string, descending: (m as RegExpExecArray)[2]?.toLowerCase() === 'desc' };
}

// ---- paging ----------------------------------------------------------------------------------------------------

interface SkipToken {
  /** Sort key of the last item served. */
  readonly k: string[];
  /** Hash of the query it belongs to. */
  readonly h: string;
}

/**
 * Hash of the request's path and query options (but $skiptoken): a token only continues the query it came
 * from. Not the version: a directory page token continues the same query on v1.0 and beta alike.
 */
function queryHash(req: SandboxRequest): string {
  const pairs = [...req.query]
    .filter(([k]) => k.toLowerCase() !== '$skiptoken')
    .map(([k, v]) => `${k.toLowerCase()}=${v}`)
    .sort();
  return createHash('sha256')
    .update(`${req.path.toLowerCase().replace(/^\/(v1\.0|beta)\//, '/')}?${pairs.join('&')}`)
    .digest('base64url')
    .slice(0, 16);
}

function readSkipToken(req: SandboxRequest): string[] | undefined {
  const raw = option(req, '$skiptoken');
  if (raw === undefined) return undefined;
  const expired = () =>
    fail(req, 400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.');
  let t: SkipToken;
  try {
    const m = /^RFNwdAIA(.+)$/.exec(raw);
    if (!m) return expired();
    t = JSON.parse(Buffer.from(m[1] as string, 'base64url').toString('utf8')) as SkipToken;
  } catch {
    return expired();
  }
  if (!t || !Array.isArray(t.k) || t.h !== queryHash(req)) return expired();
  return t.k;
}

function writeSkipToken(req: SandboxRequest, key: string[]): string {
  // Opaque, base64url, with a fixed prefix like Graph's "RFNwdAIA…" directory tokens.
  return `RFNwdAIA${Buffer.from(JSON.stringify({ k: key, h: queryHash(req) } satisfies SkipToken)).toString('base64url')}`;
}

/** Rebuilds the request's query with a new $skiptoken: `$` kept literal, values percent-encoded. */
function nextLinkFor(req: SandboxRequest, token: string): string {
  const parts: string[] = [];
  for (const [k, v] of req.query) {
    if (k.toLowerCase() === '$skiptoken') continue;
    parts.push(`${/^\$?[A-Za-z][A-Za-z0-9_-]*$/.test(k) ? k : encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  parts.push(`$skiptoken=${token}`);
  return `${req.baseUrl}${req.path.split('?')[0]}?${parts.join('&')}`;
}

export interface PageResult<T> {
  readonly items: T[];
  readonly nextLink?: string;
  readonly total: number;
}

/** The first `n` of `keys` in order (ascending, or descending), sorted; reorders `keys` (quickselect, then a sort of n). */
function firstInOrder(keys: string[], n: number, descending: boolean): string[] {
  const before = descending ? (a: string, b: string) => a > b : (a: string, b: string) => a < b;
  const order = (a: string, b: string) => (before(a, b) ? -1 : before(b, a) ? 1 : 0);
  if (keys.length > n) {
    let lo = 0;
    let hi = keys.length - 1;
    while (lo < hi) {
      const pivot = keys[(lo + hi) >> 1] as string;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (before(keys[i] as string, pivot)) i++;
        while (before(pivot, keys[j] as string)) j--;
        if (i <= j) {
          const t = keys[i] as string;
          keys[i] = keys[j] as string;
          keys[j] = t;
          i++;
          j--;
        }
      }
      if (n - 1 <= j) hi = j;
      else if (n - 1 >= i) lo = i;
      else break;
    }
  }
  return keys.slice(0, n).sort(order);
}

/** Joins a sort key's parts so that comparing the strings compares the parts in order (no part holds U+0000). */
const joinKey = (key: readonly string[]): string => key.join('\u0000');

/**
 * One page of `items` (already filtered) in a stable order: by `sortKey` (which must end with a unique part,
 * e.g. the object id). The token carries the last key served, so pages neither repeat nor skip items when
 * objects are added or removed between requests. Per page: one pass that keeps the items after the token,
 * then a sort of those by their joined key (native string comparison); no per-page scan of earlier pages.
 */
export function page<T>(req: SandboxRequest, items: T[], top: number, sortKey: (item: T) => string[], descending = false): PageResult<T> {
  const after = readSkipToken(req);
  const afterKey = after === undefined ? undefined : joinKey(after);
  // Each key carries its item's index after a separator. Only the first `top` in order are sorted: a
  // quickselect puts them in front first, so a page costs a pass over the items, not a sort of all of them.
  const keys: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const key = joinKey(sortKey(items[i] as T));
    if (afterKey !== undefined && (descending ? key >= afterKey : key <= afterKey)) continue;
    keys.push(`${key}\u0000\u0000${i}`);
  }
  const first = firstInOrder(keys, top, descending);
  const indexOf = (k: string) => Number(k.slice(k.lastIndexOf('\u0000') + 1));
  const slice = first.map((k) => ({ item: items[indexOf(k)] as T }));
  const more = keys.length > top;
  const last = slice[slice.length - 1];
  return {
    items: slice.map((x) => x.item),
    nextLink: more && last ? nextLinkFor(req, writeSkipToken(req, sortKey(last.item))) : undefined,
    total: items.length,
  };
}

/**
 * One page of `sorted` (already in `sortKey` order, ascending): a binary search for the token's place, then a
 * slice. For collections the route keeps sorted (every app of a tenant), so a page does not cost a pass over them.
 */
export function pageOfSorted<T>(req: SandboxRequest, sorted: readonly T[], top: number, sortKey: (item: T) => string[]): PageResult<T> {
  const after = readSkipToken(req);
  let start = 0;
  if (after) {
    const afterKey = joinKey(after);
    let hi = sorted.length;
    while (start < hi) {
      const mid = (start + hi) >> 1;
      if (joinKey(sortKey(sorted[mid] as T)) <= afterKey) start = mid + 1;
      else hi = mid;
    }
  }
  const items = sorted.slice(start, start + top);
  const last = items[items.length - 1];
  const more = start + top < sorted.length;
  return { items, nextLink: more && last ? nextLinkFor(req, writeSkipToken(req, sortKey(last))) : undefined, total: sorted.length };
}

/** The Graph version a request addresses: `beta` for `/beta/…`, `v1.0` otherwise. */
export function graphVersion(req: SandboxRequest): 'v1.0' | 'beta' {
  return req.path.startsWith('/beta/') ? 'beta' : 'v1.0';
}

/** A collection answer: @odata.context, @odata.count (first page only, when asked), @odata.nextLink, value. */
export function collection(req: SandboxRequest, context: string, value: unknown[], extra: { count?: number; nextLink?: string } = {}): SandboxResponse {
  const body: Record<string, unknown> = { '@odata.context': `${req.baseUrl}/${graphVersion(req)}/$metadata#${context}` };
  if (extra.count !== undefined) body['@odata.count'] = extra.count;
  if (extra.nextLink) body['@odata.nextLink'] = extra.nextLink;
  body.value = value;
  return ok(req, 200, body);
}

/** A JSON answer with Graph's usual headers. */
export function ok(req: SandboxRequest, status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  const clientRequestId = req.headers['client-request-id'] || req.requestId;
  return {
    status,
    headers: {
      'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
      'odata-version': '4.0',
      'request-id': req.requestId,
      'client-request-id': clientRequestId,
      'cache-control': 'no-cache',
      ...headers,
    },
    body: graphVersion(req) === 'v1.0' ? brokenV1Stream(body) : body,
  };
}

/**
 * Graph v1.0 has no flexible credentials: serialising one (its subject is null) fails half-way through a
 * streamed answer, so the client gets a 200 whose JSON breaks off and is followed by an error object
 * (msgraph-sdk-python#1359: "The property 'subject[Nullable=False]' … has a null value"). A flexible
 * credential's entity carries `subject: null` in v1.0 answers, which this turns into that stream.
 */
function brokenV1Stream(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const text = JSON.stringify(body);
  const at = text.indexOf('"subject":null');
  if (at < 0) return body;
  const error = {
    error: {
      code: 'InternalServerError',
      message: "The property 'subject[Nullable=False]' of type 'Edm.String' has a null value, which is not allowed.",
    },
  };
  return `${text.slice(0, at)}${JSON.stringify(error)}`;
}

export function noContent(req: SandboxRequest): SandboxResponse {
  return {
    status: 204,
    headers: { 'request-id': req.requestId, 'client-request-id': req.headers['client-request-id'] || req.requestId, 'cache-control': 'no-cache' },
  };
}

/** "(id,appId)" for @odata.context when $select was used. */
export function selectSuffix(select: readonly string[] | undefined): string {
  return select ? `(${select.join(',')})` : '';
}

/** Decodes an OData key literal from a path segment: `'a''b'` → `a'b`. */
export function keyLiteral(raw: string): string {
  return raw.replace(/''/g, "'");
}
