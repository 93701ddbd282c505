/**
 * The dashboard's GraphQL operations against the committed SDL: every document the web app
 * marks with a GraphQL comment (api/web/src) must parse, name one operation, and validate
 * against schema/graphql/schema.graphql, and the result types the views use
 * (api/web/src/generated/operation-types.ts) must be the ones generated from that SDL, so a
 * schema change that breaks the dashboard fails CI here and in the dashboard's type check. Each
 * must also pass the API's default depth and cost limits as the browser sends it (with
 * `__typename`s), or the page would show the limit's error instead of its data.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildSchema, type DocumentNode, Kind, parse, validate, visit } from "graphql";
import { parseApiConfig } from "../config.js";
import { armor } from "../protection/armor.js";
import { operationTypes } from "./operation-types.js";
import { OPERATION_TYPES_FILE, WEB_SRC, webOperations } from "./web-operations.js";

const SDL = fileURLToPath(new URL("../../../schema/graphql/schema.graphql", import.meta.url));
const committedSchema = () => buildSchema(readFileSync(SDL, "utf8"));

test("every dashboard operation validates against the committed SDL", () => {
  const schema = committedSchema();
  const docs = webOperations();
  assert.ok(docs.length >= 20, `found only ${docs.length} operations under ${WEB_SRC}`);
  const names = new Set<string>();
  for (const { file, text } of docs) {
    assert.ok(!text.includes("${"), `${file}: an operation must be a plain string, not a template`);
    const doc = parse(text);
    const operations = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    assert.equal(operations.length, 1, `${file}: one operation per document`);
    const name = operations[0]?.kind === Kind.OPERATION_DEFINITION ? operations[0].name?.value : undefined;
    assert.ok(name, `${file}: operations are named`);
    assert.ok(!names.has(name), `${file}: ${name} is defined twice`);
    names.add(name);
    const errors = validate(schema, doc);
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
      `${file}: ${name} does not validate against the SDL`,
    );
  }
});

test("an operation that asks for a field the SDL lacks is refused (the check can fail)", () => {
  const schema = committedSchema();
  const errors = validate(schema, parse("query Broken { me { balance { notAField } } }"));
  assert.equal(errors.length, 1);
});

test("the dashboard's operation types are the ones generated from the committed SDL", () => {
  const generated = operationTypes(
    committedSchema(),
    webOperations().map((o) => o.text),
  );
  assert.equal(
    readFileSync(OPERATION_TYPES_FILE, "utf8"),
    generated,
    "api/web/src/generated/operation-types.ts is stale: run `npm run sdl` and commit it",
  );
});

test("a field retyped or made nullable in the SDL changes the generated type the views use", () => {
  const doc = "query Probe($n: Int!) { thing(n: $n) { id count state label } }";
  const sdl = (count: string) => `
    enum State { UP DOWN }
    type Thing { id: ID! count: ${count} state: State! label: String }
    type Query { thing(n: Int!): Thing }
  `;
  const before = operationTypes(buildSchema(sdl("Int!")), [doc]);
  assert.match(
    before,
    /export interface ProbeQuery \{\n {2}thing: \{\n {4}id: string;\n {4}count: number;\n/,
  );
  assert.match(before, /state: "UP" \| "DOWN";/);
  assert.match(before, /label: string \| null;/);
  assert.match(before, /export interface ProbeVariables \{\n {2}n: number;\n\}/);
  assert.match(operationTypes(buildSchema(sdl("Int")), [doc]), /count: number \| null;/);
  assert.match(operationTypes(buildSchema(sdl("String!")), [doc]), /count: string;/);
});

/** A document as urql sends it: `__typename` asked in every selection set below the root. */
function withTypenames(doc: DocumentNode): DocumentNode {
  return visit(doc, {
    SelectionSet: (node, _key, parent) => {
      if ((parent as { kind?: string } | undefined)?.kind === Kind.OPERATION_DEFINITION) return undefined;
      return {
        ...node,
        selections: [
          ...node.selections,
          { kind: Kind.FIELD, name: { kind: Kind.NAME, value: "__typename" } },
        ],
      };
    },
  });
}

test("every dashboard operation fits the API's default query depth and cost limits", () => {
  const schema = committedSchema();
  const config = parseApiConfig({
    databaseUrl: "postgres://x/db",
    redisUrl: "redis://y",
    headAddress: "h:1",
    jwtSecret: "x".repeat(32),
  });
  const rules = armor({ maxDepth: config.maxDepth, maxCost: config.maxCost }).validationRules;
  for (const { file, text } of webOperations()) {
    const errors = validate(schema, withTypenames(parse(text)), rules);
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
      `${file}: the API would refuse this operation`,
    );
  }
  // The check can fail: a page of 200 nodes with their scores is over the cost limit.
  const tooDear = parse("query Dear { nodes(first: 200) { edges { node { id reputation { score } } } } }");
  assert.equal(validate(schema, withTypenames(tooDear), rules).length, 1);
});
