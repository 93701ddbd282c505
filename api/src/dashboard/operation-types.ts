import {
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  type TypeNode,
  typeFromAST,
} from "graphql";

/**
 * TypeScript types of the dashboard's operations, generated from the SDL: for an operation
 * `query Foo` the type `FooQuery` (its data) and, when it takes variables, `FooVariables`. The
 * views use these, so a field removed or retyped in the schema fails the dashboard's type check
 * (and the committed file going stale fails `check:sdl` and the tests). Only what the dashboard
 * uses is supported: named operations, fields and aliases, no fragments.
 */
const SCALARS: Record<string, string> = {
  ID: "string",
  String: "string",
  Int: "number",
  Float: "number",
  Boolean: "boolean",
  DateTimeISO: "string",
  TokenAmount: "string",
  JSON: "unknown",
  JSONObject: "Record<string, unknown>",
};
const INDENT = "  ";
const HEADER = `// Generated from schema/graphql/schema.graphql and the operations in api/web/src by
// api/src/dashboard/operation-types.ts (\`npm run sdl\` writes it, \`npm run check:sdl\` checks it). Do not edit.
`;

export function operationTypes(schema: GraphQLSchema, documents: readonly string[]): string {
  const out: string[] = [HEADER];
  const ops = documents
    .flatMap((text) => parse(text).definitions)
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .sort((a, b) => (a.name?.value ?? "").localeCompare(b.name?.value ?? ""));
  for (const op of ops) {
    const name = op.name?.value;
    if (!name) throw new Error("an operation without a name");
    const root = schema.getRootType(op.operation);
    if (!root) throw new Error(`${name}: the schema has no ${op.operation} type`);
    const suffix = op.operation[0]?.toUpperCase() + op.operation.slice(1);
    out.push(`export interface ${name}${suffix} ${selection(root, op.selectionSet, 0, name)}\n`);
    const vars = op.variableDefinitions ?? [];
    if (vars.length > 0) {
      const fields = vars.map((v) => {
        const type = inputTypeOf(schema, v.type, name);
        const optional = !isNonNullType(type) || v.defaultValue !== undefined;
        return `${INDENT}${v.variable.name.value}${optional ? "?" : ""}: ${input(type, 1)};`;
      });
      out.push(`export interface ${name}Variables {\n${fields.join("\n")}\n}\n`);
    }
  }
  return out.join("\n");
}

function inputTypeOf(schema: GraphQLSchema, node: TypeNode, op: string): GraphQLInputType {
  const type = typeFromAST(schema, node);
  if (!type) throw new Error(`${op}: unknown variable type`);
  return type as GraphQLInputType;
}

function selection(parent: GraphQLNamedType, set: SelectionSetNode, depth: number, op: string): string {
  if (!isObjectType(parent)) throw new Error(`${op}: a selection on ${parent.name}, not an object type`);
  const pad = INDENT.repeat(depth + 1);
  const fields = set.selections.map((s) => {
    if (s.kind !== Kind.FIELD) throw new Error(`${op}: fragments are not supported here`);
    const key = s.alias?.value ?? s.name.value;
    if (s.name.value === "__typename") return `${pad}${key}: "${parent.name}";`;
    const field = parent.getFields()[s.name.value];
    if (!field) throw new Error(`${op}: ${parent.name} has no field ${s.name.value}`);
    return `${pad}${key}: ${output(field.type, s.selectionSet, depth + 1, op)};`;
  });
  return `{\n${fields.join("\n")}\n${INDENT.repeat(depth)}}`;
}

function output(
  type: GraphQLOutputType,
  set: SelectionSetNode | undefined,
  depth: number,
  op: string,
): string {
  if (!isNonNullType(type)) return `${output_(type, set, depth, op)} | null`;
  return output_(type.ofType, set, depth, op);
}

function output_(
  type: GraphQLOutputType,
  set: SelectionSetNode | undefined,
  depth: number,
  op: string,
): string {
  if (isNonNullType(type)) return output(type, set, depth, op);
  if (isListType(type)) return `Array<${output(type.ofType, set, depth, op)}>`;
  if (set) return selection(type, set, depth, op);
  return leaf(type);
}

function input(type: GraphQLInputType, depth: number): string {
  if (isNonNullType(type)) return input_(type.ofType, depth);
  return `${input_(type, depth)} | null`;
}

function input_(type: GraphQLInputType, depth: number): string {
  if (isNonNullType(type)) return input(type, depth);
  if (isListType(type)) return `Array<${input(type.ofType, depth)}>`;
  if (isInputObjectType(type)) {
    const pad = INDENT.repeat(depth + 1);
    const fields = Object.values(type.getFields()).map((f) => {
      const optional = !isNonNullType(f.type) || f.defaultValue !== undefined;
      return `${pad}${f.name}${optional ? "?" : ""}: ${input(f.type, depth + 1)};`;
    });
    return `{\n${fields.join("\n")}\n${INDENT.repeat(depth)}}`;
  }
  return leaf(type);
}

function leaf(type: GraphQLNamedType): string {
  if (isEnumType(type))
    return type
      .getValues()
      .map((v) => JSON.stringify(v.name))
      .join(" | ");
  if (isScalarType(type)) {
    const ts = SCALARS[type.name];
    if (!ts) throw new Error(`scalar ${type.name} has no TypeScript type: add it to SCALARS`);
    return ts;
  }
  throw new Error(`${type.name}: a selection set is needed`);
}
