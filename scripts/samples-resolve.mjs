// A Node module resolve hook for the compiled NestJS sample (`npm start -- nest`): the sample imports
// the package as a user does (`socketeer`, `socketeer/nestjs`, `socketeer/redis`); tsc compiled those
// sources next to it (.test-build/samples-nest/), and this hook points the imports there, so the
// sample runs without `npm run build`. Registered by scripts/start.mjs with `--import`.
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const out = resolve(import.meta.dirname, "..", ".test-build", "samples-nest");
const targets = {
  socketeer: "core/index.js",
  "socketeer/engine": "core/engine/index.js",
};
for (const name of ["fastify", "express", "nestjs", "decorators", "redis"]) {
  targets[`socketeer/${name}`] = `integrations/${name}/index.js`;
}
const map = Object.fromEntries(Object.entries(targets).map(([k, v]) => [k, pathToFileURL(resolve(out, v)).href]));

const hooks = `
const map = ${JSON.stringify(map)};
export async function resolve(specifier, context, next) {
  const url = map[specifier];
  return url ? { url, shortCircuit: true } : next(specifier, context);
}`;
register("data:text/javascript," + encodeURIComponent(hooks));
