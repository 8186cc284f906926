// Writes each service's image into a platform stack file as `gke-platform:services.<name>.image`, keeping every
// other key, value and comment (the yaml package's document model). The one way the delivery scripts change
// images: deploy.sh edits the checkout's file before `pulumi up`, record-images.sh the same file on the newest
// main. A pre-catalogue `<prefix>Image` key of the same service is removed (infra/README.md, "Per-service config").
//
//   node .github/scripts/set-images.mjs <Pulumi.<stack>.yaml> '{"<service>": "<image reference>", ...}'
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const repo = new URL("../../", import.meta.url);
// The yaml package comes from the infra workspace package, which every job that deploys has installed.
const { isMap, parseDocument } = createRequire(new URL("infra/package.json", repo))("yaml");
const catalogue = JSON.parse(readFileSync(new URL("packages/contract/src/services.json", repo), "utf8"));

const [file, imagesJson] = process.argv.slice(2);
if (!file || !imagesJson) {
  process.stderr.write("usage: set-images.mjs <stack file> '<images JSON>'\n");
  process.exit(2);
}
const images = JSON.parse(imagesJson);
const known = new Map(catalogue.services.map((s) => [s.name, s]));
const doc = parseDocument(existsSync(file) ? readFileSync(file, "utf8") : "config:\n");
if (!isMap(doc.get("config"))) doc.set("config", doc.createNode({}));
for (const [name, ref] of Object.entries(images)) {
  const entry = known.get(name);
  if (!entry) {
    process.stderr.write(`set-images: ${name} is not a service of the catalogue\n`);
    process.exit(1);
  }
  if (!isMap(doc.getIn(["config", "gke-platform:services"])))
    doc.setIn(["config", "gke-platform:services"], doc.createNode({}));
  if (!isMap(doc.getIn(["config", "gke-platform:services", name])))
    doc.setIn(["config", "gke-platform:services", name], doc.createNode({}));
  doc.setIn(["config", "gke-platform:services", name, "image"], ref);
  if (entry.legacyConfigPrefix) doc.deleteIn(["config", `gke-platform:${entry.legacyConfigPrefix}Image`]);
}
writeFileSync(file, doc.toString({ lineWidth: 0 }));
