// Graph query values built so that user text can never change the query. OData string literals double a single
// quote (OData URL conventions); a `$search` clause is double-quoted and escapes `"` and `\` with a backslash
// (microsoft-graph-docs-contrib concepts/search-query-parameter.md). The whole query is then percent-encoded.

import { isGuid, quote } from './text';
import { error, ValidationError } from './validation';

const PROPERTY = /^[A-Za-z][A-Za-z0-9]*(?:\/[A-Za-z][A-Za-z0-9]*)*$/;

function requireProperty(property: string): void {
  if (!PROPERTY.test(property)) {
    throw new ValidationError([error('property', 'query.property', `Property must be a Graph property name; ${quote(property)} is not.`)]);
  }
}

/** An OData string literal: `'…'` with every `'` doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `startswith(displayName,'…')`. */
export function startsWithFilter(property: string, prefix: string): string {
  requireProperty(property);
  return `startswith(${property},${odataString(prefix)})`;
}

/** `appId eq '…'`. */
export function equalsFilter(property: string, value: string): string {
  requireProperty(property);
  return `${property} eq ${odataString(value)}`;
}

/** One `$search` clause: `"displayName:…"`, with `"` and `\` escaped by a backslash. */
export function searchClause(property: string, term: string): string {
  requireProperty(property);
  return `"${property}:${term.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export type QueryParams = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Percent-encodes query parameters. Keys keep their `$` (OData system options); values are encoded with the same
 * rules URLSearchParams decodes, but with spaces as `%20`, not `+`.
 */
export function encodeQuery(params: QueryParams): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => {
      if (!/^\$?[A-Za-z][A-Za-z0-9-]*$/.test(key)) {
        throw new ValidationError([error('query', 'query.key', `Query key ${quote(key)} is not a valid Graph query option.`)]);
      }
      // encodeURIComponent throws a bare URIError on a lone UTF-16 surrogate: say what is wrong instead.
      if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(String(value))) {
        throw new ValidationError([
          error(
            'query',
            'query.surrogate',
            `The value of ${key} contains a lone UTF-16 surrogate (half of a character), which cannot be sent to Microsoft Graph.`,
          ),
        ]);
      }
      return `${key}=${encodeURIComponent(String(value))}`;
    })
    .join('&');
}

export interface GraphListQuery {
  readonly params: QueryParams;
  /** `$search` and `$count` on directory objects need `ConsistencyLevel: eventual`. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The query for the app list's search box: a GUID is looked up by `appId`, anything else searches
 * `displayName` (tokenised, so "web" finds "My Web App").
 */
export function appSearchQuery(term: string, options: { top?: number; select?: readonly string[] } = {}): GraphListQuery {
  const select = options.select?.join(',');
  const trimmed = term.trim();
  const common = { ...(options.top === undefined ? {} : { $top: options.top }), ...(select ? { $select: select } : {}) };
  if (trimmed === '') return { params: common, headers: {} };
  if (isGuid(trimmed)) return { params: { $filter: equalsFilter('appId', trimmed.toLowerCase()), ...common }, headers: {} };
  return { params: { $search: searchClause('displayName', trimmed), $count: true, ...common }, headers: { ConsistencyLevel: 'eventual' } };
}
