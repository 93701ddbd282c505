import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  parse,
  type Source,
  specifiedRules,
  type ValidationRule,
  validate,
} from "graphql";

/**
 * Query shape limits, the same over HTTP and WebSocket: depth, cost, aliases, directives
 * (graphql-armor's validation rules) and tokens. The token limit is graphql-js's own parser
 * option (`parseOptions`), not armor's plugin: armor's re-parses the text in a hook and throws
 * there, so every syntax error and every over-long document became an HTTP 500; the parser's
 * limit fails parsing itself, a syntax error (400, GRAPHQL_PARSE_FAILED) on both transports.
 * Field suggestions in errors stay on (it is a public schema anyway).
 */
const MAX_TOKENS = 2000;
export const parseOptions: ParseOptions = { maxTokens: MAX_TOKENS };

export interface ArmorLimits {
  maxDepth: number;
  maxCost: number;
}

export function armor(limits: ArmorLimits) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    costLimit: { maxCost: limits.maxCost, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5 },
    maxAliases: { n: 15 },
    maxDirectives: { n: 20 },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
}

/** Query texts up to this size are remembered (parsed and, once valid, validated). */
const MAX_CACHED_QUERY_CHARS = 16 * 1024;
/** The cache starts over past this many query texts. */
const MAX_CACHED_QUERIES = 1000;

/**
 * graphql-ws's parse and validate, with the armor's rules added, each done once per query text
 * (as Apollo's document store does over HTTP). A client that follows each task it submits
 * opens a subscription with the same text every time, and parsing plus validating it (armor's
 * cost and depth walks included) was most of the api's CPU for a subscription, spent while the
 * task it follows runs. A document depends only on its text, and validation only on the
 * document and the schema (never on variables or the caller), so a document that passed once
 * passes again: it is not walked again. Texts that fail to parse or validate are not kept.
 */
export function documentChecks(rules: ValidationRule[]) {
  const all = [...specifiedRules, ...rules];
  const documents = new Map<string, DocumentNode>();
  const passed = new WeakMap<DocumentNode, GraphQLSchema>();
  return {
    parse: (query: string | Source, options?: ParseOptions): DocumentNode => {
      if (typeof query !== "string" || options !== undefined)
        return parse(query, { ...parseOptions, ...options });
      const known = documents.get(query);
      if (known) return known;
      const document = parse(query, parseOptions);
      if (query.length <= MAX_CACHED_QUERY_CHARS) {
        if (documents.size >= MAX_CACHED_QUERIES) documents.clear();
        documents.set(query, document);
      }
      return document;
    },
    validate: (schema: GraphQLSchema, document: DocumentNode) => {
      if (passed.get(document) === schema) return [];
      const errors = validate(schema, document, all);
      if (errors.length === 0) passed.set(document, schema);
      return errors;
    },
  };
}
