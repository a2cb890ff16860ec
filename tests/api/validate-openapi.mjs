// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The OpenAPI document passes a real OpenAPI 3.1 validator (the official JSON Schema of the
// specification, https://spec.openapis.org/oas/3.1/schema/2022-10-07), and the same validator
// refuses broken copies of it, so this test can fail.
//
// usage: node validate-openapi.mjs DOCUMENT   (OHE_OPENAPI_NODE_MODULES: the npm install)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const modules = process.env.OHE_OPENAPI_NODE_MODULES;
const require = createRequire(path.join(modules, "noop.js"));
const entry = require.resolve("@seriousme/openapi-schema-validator");
const { Validator } = await import(entry);

let n = 0;
let failed = false;
function check(ok, name, detail) {
  n++;
  console.log(`${ok ? "ok" : "not ok"} ${n} - ${name}${ok ? "" : ` # ${detail}`}`);
  failed ||= !ok;
}

const text = readFileSync(process.argv[2], "utf8");
const doc = JSON.parse(text);

const validator = new Validator();
const result = await validator.validate(structuredClone(doc));
check(result.valid && validator.version === "3.1", "the document is valid OpenAPI 3.1",
  JSON.stringify(result.errors ?? null).slice(0, 500));

const broken = {
  "a response without description": (d) => {
    delete d.paths["/api/v1/users"].get.responses["200"].description;
  },
  "a path not starting with /": (d) => {
    d.paths["api/v1/broken"] = d.paths["/api/v1/jobs"];
  },
  "no info": (d) => {
    delete d.info;
  },
};
for (const [name, mutate] of Object.entries(broken)) {
  const copy = structuredClone(doc);
  mutate(copy);
  const r = await new Validator().validate(copy);
  check(!r.valid, `the validator refuses ${name}`, "accepted");
}

// every operation names its scopes, and each one that needs a token documents 401 and 403
for (const [p, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (method === "parameters") continue;
    const scopes = op.security?.[0]?.apiToken;
    const ok = Array.isArray(op.security) &&
      (op.security.length === 0 || (scopes && "401" in op.responses && "403" in op.responses));
    check(ok, `${method.toUpperCase()} ${p} states its security and auth errors`, "missing");
  }
}
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
