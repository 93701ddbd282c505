/**
 * The dependency direction of DESIGN.md, enforced in CI:
 *   schema  <-  cluster  <-  api  ->  contracts
 * plus: no cycles anywhere; inside cluster, head and worker never import each other; api uses
 * cluster only through its public exports (never cluster/src/head or cluster/src/worker).
 */
const pkg = (name) => `^${name}/`;
module.exports = {
  forbidden: [
    {
      name: "our-packages-resolve",
      comment: "an @neurogrid/* import must resolve (build first): otherwise no rule could see it",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, path: "^@neurogrid/" },
    },
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    {
      name: "schema-imports-nothing-of-ours",
      severity: "error",
      from: { path: pkg("schema") },
      to: { path: "^(cluster|api|contracts)/" },
    },
    {
      name: "cluster-only-schema",
      severity: "error",
      from: { path: pkg("cluster") },
      to: { path: "^(api|contracts)/" },
    },
    {
      name: "contracts-imports-nothing-of-ours",
      severity: "error",
      from: { path: pkg("contracts") },
      to: { path: "^(schema|cluster|api)/" },
    },
    {
      name: "api-uses-cluster-public-entry-only",
      severity: "error",
      from: { path: pkg("api") },
      to: { path: "^cluster/(src|dist)/(head|worker|runtime)/" },
    },
    {
      name: "head-not-worker",
      severity: "error",
      from: { path: "^cluster/src/head/" },
      to: { path: "^cluster/src/worker/" },
    },
    {
      name: "worker-not-head",
      severity: "error",
      from: { path: "^cluster/src/worker/" },
      to: { path: "^cluster/src/head/" },
    },
    {
      name: "no-reaching-into-another-package-source",
      severity: "error",
      from: { path: "^(schema|cluster|api|contracts)/src/" },
      to: { path: "^(schema|cluster|api|contracts)/src/", pathNot: "^$1/src/" },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules", "/dist/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.depcruise.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "default", "types"] },
  },
};
