import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  type DocumentNode,
  type GraphQLSchema,
  specifiedRules,
  type ValidationRule,
  validate,
} from "graphql";

/**
 * Query shape limits, the same over HTTP and WebSocket: depth, cost, aliases, directives and
 * tokens (graphql-armor). Field suggestions in errors stay on (it is a public schema anyway).
 */
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
    maxTokens: { n: 2000 },
    blockFieldSuggestion: { enabled: false },
  }).protect();
}

/** graphql-ws's validate with the armor's rules added. */
export function validateWith(rules: ValidationRule[]) {
  return (schema: GraphQLSchema, document: DocumentNode) =>
    validate(schema, document, [...specifiedRules, ...rules]);
}
