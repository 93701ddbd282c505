import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import express, { type Router } from "express";

/**
 * GraphiQL served offline from npm packages: graphiql@3's ready-built UMD bundle with React 18's
 * UMD files, and graphql-ws's UMD client for subscriptions. No CDN is ever contacted.
 */
const require = createRequire(import.meta.url);
const dirOf = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));

const ASSETS: Record<string, string> = {
  "react.js": join(dirOf("react"), "umd/react.production.min.js"),
  "react-dom.js": join(dirOf("react-dom"), "umd/react-dom.production.min.js"),
  "graphiql.js": join(dirOf("graphiql"), "graphiql.min.js"),
  "graphiql.css": join(dirOf("graphiql"), "graphiql.min.css"),
  "graphql-ws.js": join(dirOf("graphql-ws"), "umd/graphql-ws.min.js"),
};

export function graphiqlAssets(): Router {
  const router = express.Router();
  router.get("/:file", (req, res) => {
    const path = ASSETS[req.params.file ?? ""];
    if (!path) {
      res.status(404).end();
      return;
    }
    res.setHeader("cache-control", "public, max-age=86400");
    res.sendFile(path);
  });
  return router;
}

export function graphiqlPage(assetsPath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>NeuroGrid GraphiQL</title>
<link rel="stylesheet" href="${assetsPath}/graphiql.css" />
<style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${assetsPath}/react.js"></script>
<script src="${assetsPath}/react-dom.js"></script>
<script src="${assetsPath}/graphql-ws.js"></script>
<script src="${assetsPath}/graphiql.js"></script>
<script>
  const url = new URL("/graphql", window.location.href).toString();
  const wsUrl = url.replace(/^http/, "ws");
  const headers = { Authorization: "Bearer PASTE_YOUR_API_KEY" };
  const fetcher = GraphiQL.createFetcher({
    url,
    wsClient: graphqlWs.createClient({
      url: wsUrl,
      connectionParams: () => {
        try { return JSON.parse(localStorage.getItem("graphiql:headers") || "{}"); } catch { return {}; }
      },
    }),
  });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultHeaders: JSON.stringify(headers, null, 2),
      shouldPersistHeaders: true,
      defaultQuery:
        "query Models {\\n  models { edges { node { name version pricePerCall inputs outputs } } }\\n}\\n",
    }),
  );
</script>
</body>
</html>`;
}
