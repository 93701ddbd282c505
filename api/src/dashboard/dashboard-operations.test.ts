/**
 * The dashboard's GraphQL operations against the committed SDL: every document the web app
 * marks with a GraphQL comment (api/web/src) must parse, name one operation, and validate
 * against schema/graphql/schema.graphql, so a schema change that breaks the dashboard fails CI.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildSchema, Kind, parse, validate } from "graphql";

const WEB_SRC = fileURLToPath(new URL("../../web/src/", import.meta.url));
const SDL = fileURLToPath(new URL("../../../schema/graphql/schema.graphql", import.meta.url));
const MARKED = /\/\* GraphQL \*\/ `([^`]*)`/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

function documents(): { file: string; text: string }[] {
  return sources(WEB_SRC).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(MARKED)].map((m) => ({ file, text: m[1] ?? "" })),
  );
}

test("every dashboard operation validates against the committed SDL", () => {
  const schema = buildSchema(readFileSync(SDL, "utf8"));
  const docs = documents();
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
  const schema = buildSchema(readFileSync(SDL, "utf8"));
  const errors = validate(schema, parse("query Broken { me { balance { notAField } } }"));
  assert.equal(errors.length, 1);
});
