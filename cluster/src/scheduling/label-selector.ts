/**
 * Label selectors, after Ray's: every key's expression must hold for a node's labels.
 *
 *   "v"          the label is v
 *   "!v"         the label is not v (or the node has no such label)
 *   "in(a,b)"    the label is one of a, b
 *   "!in(a,b)"   the label is none of a, b (or absent)
 *
 * Assumptions: labels are static per node registration; a selector is small (a few keys), so
 * matching one node is cheap. The scheduler narrows candidates with its label index on the
 * selector's plain-equality terms (see scheduler.ts) and checks the rest per candidate.
 */
import type { LabelSelector } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";

interface Term {
  key: string;
  negate: boolean;
  values: readonly string[];
}

export interface CompiledSelector {
  readonly terms: readonly Term[];
  /** key=value pairs every match must have (the plain-equality terms), for the label index. */
  readonly equalities: readonly string[];
}

export function compileSelector(selector: LabelSelector | undefined): CompiledSelector | undefined {
  if (selector === undefined) return undefined;
  const terms: Term[] = [];
  for (const [key, expression] of Object.entries(selector)) {
    if (key === "") throw new ClusterError("INVALID_ARGUMENT", "label selector has an empty key");
    const negate = expression.startsWith("!");
    const body = negate ? expression.slice(1) : expression;
    const list = /^in\((.*)\)$/.exec(body);
    const values = list ? (list[1] ?? "").split(",").map((v) => v.trim()) : [body];
    terms.push({ key, negate, values });
  }
  if (terms.length === 0) return undefined;
  const equalities = terms
    .filter((t) => !t.negate && t.values.length === 1)
    .map((t) => labelKey(t.key, t.values[0] ?? ""));
  return { terms, equalities };
}

export function matches(
  selector: CompiledSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return true;
  for (const term of selector.terms) {
    const value = labels[term.key];
    const hit = value !== undefined && term.values.includes(value);
    if (hit === term.negate) return false;
  }
  return true;
}

export function labelKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}
