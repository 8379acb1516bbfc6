// Offline checks of the deployment files, run by deploy/validate/run.sh (and so by .ci/run).
//
//   1. Renders deploy/k8s/base and every deploy/k8s/overlays/* with a built-in implementation of
//      the part of kustomize these manifests use (resources, namespace, images, strategic-merge
//      patches by kind and name). When `kubectl` (or `kustomize`) is on the PATH, the overlay is
//      rendered with it too and both renders must hold the same objects.
//   2. Validates every rendered object: Kubernetes kinds against the schemas of the
//      kubernetes-models package, KEDA kinds against @kubernetes-models/keda plus hand-written
//      checks, then the project's rules (probes on the management port, resources, non-root,
//      secrets by reference to the Secrets that base/secret.example.yaml documents, references
//      between objects, NetworkPolicies that admit only what README.md says, graceful
//      termination longer than the worker's drain).
//   3. Checks docker-compose.yml structurally (healthchecks on the management ports, the
//      Prometheus scrape configuration), and runs `docker compose config -q` (or
//      `docker-compose config -q`) when one of them is installed.
//
// Prints every problem and a summary; exits 1 when there is any problem. Needs no network and no
// cluster. validate.test.mjs (node --test) proves that the checks catch what they should.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const K8S = path.join(ROOT, "deploy", "k8s");
// TASKER_VALIDATE_COMPOSE checks another compose file instead (to try the checks on a changed copy).
const COMPOSE_FILE = path.resolve(process.env.TASKER_VALIDATE_COMPOSE ?? path.join(ROOT, "docker-compose.yml"));
const CONFIG_DOC = path.join(ROOT, "docs", "configuration.md");
// The Secrets the manifests may refer to: those this file describes (with placeholder values
// only), each also named in the README.
const EXAMPLE_SECRETS = path.join(K8S, "base", "secret.example.yaml");
const K8S_README = path.join(K8S, "README.md");
const PLACEHOLDER = /^change-me/;
// Keys whose example value may be a plain name rather than a placeholder.
const NON_SECRET_KEYS = new Set(["username"]);

const NAMESPACE = "tasker";

// Who the NetworkPolicies may admit (README.md, "Network policy"): namespaces are matched by their
// automatic label; API clients by a pod label.
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
const MONITORING_NAMESPACE = "monitoring";
const INGRESS_NAMESPACE = "ingress-nginx";
const KEDA_NAMESPACE = "keda";
const API_CLIENT_LABEL = "tasker.io/api-client";
const MANAGEMENT_PORT_NAME = "management";
// Pods a policy may select although these manifests do not run them.
const EXTERNAL_PODS = [
  { name: "PostgreSQL", labels: { "app.kubernetes.io/name": "tasker-postgres" }, ports: [{ name: "postgresql", containerPort: 5432 }] },
];
// Each image's application.properties: its HTTP and management ports and their defaults.
const SERVICE_PROPERTIES = {
  "tasker/orchestrator": path.join(ROOT, "orchestrator-service", "src", "main", "resources", "application.properties"),
  "tasker/worker": path.join(ROOT, "worker-service", "src", "main", "resources", "application.properties"),
};

// ---------------------------------------------------------------------------------------------
// Reporting

const problems = [];
let passed = 0;

function problem(where, message) {
  problems.push(`${where}: ${message}`);
}

/** Records one check: passes when `ok`, otherwise adds a problem. */
function check(ok, where, message) {
  if (ok) {
    passed++;
  } else {
    problem(where, message);
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// YAML

function readYamlDocuments(file) {
  const text = fs.readFileSync(file, "utf8");
  const docs = YAML.parseAllDocuments(text, { prettyErrors: true });
  const out = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      throw new Error(`${rel(file)}: ${doc.errors.map((e) => e.message).join("; ")}`);
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) {
      out.push(value);
    }
  }
  return out;
}

function rel(file) {
  return path.relative(ROOT, file) || ".";
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const clone = (v) => structuredClone(v);

// ---------------------------------------------------------------------------------------------
// Kustomize subset

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const SUPPORTED_FIELDS = new Set(["apiVersion", "kind", "resources", "namespace", "images", "patches"]);
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "ClusterTriggerAuthentication",
]);

// Lists that a strategic-merge patch merges item by item (the patch-merge keys of the Kubernetes
// API) instead of replacing them. Custom resources (KEDA) have none: their lists are replaced.
const MERGE_KEYS = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  topologySpreadConstraints: "topologyKey",
};
const CONTAINER_PORTS = "containerPort";
const BUILTIN_GROUPS = /^(v1|apps\/v1|batch\/v1|autoscaling\/v[12]|policy\/v1|networking\.k8s\.io\/v1|rbac\.authorization\.k8s\.io\/v1)$/;

function findKustomization(dir) {
  for (const name of KUSTOMIZATION_FILES) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) {
      return file;
    }
  }
  return null;
}

/** Renders a kustomization directory into a list of objects, like `kubectl kustomize DIR`. */
function render(dir) {
  const file = findKustomization(dir);
  if (!file) {
    throw new Error(`${rel(dir)}: no kustomization.yaml`);
  }
  const [k] = readYamlDocuments(file);
  for (const key of Object.keys(k)) {
    if (!SUPPORTED_FIELDS.has(key)) {
      throw new Error(`${rel(file)}: field '${key}' is not supported by the built-in renderer`);
    }
  }
  let objects = [];
  for (const entry of k.resources ?? []) {
    const target = path.resolve(dir, entry);
    if (!fs.existsSync(target)) {
      throw new Error(`${rel(file)}: resource ${entry} does not exist`);
    }
    if (fs.statSync(target).isDirectory()) {
      objects.push(...render(target));
    } else {
      for (const obj of readYamlDocuments(target)) {
        if (obj.kind === "Kustomization" || obj.kind === "Component") {
          throw new Error(`${rel(target)}: a ${obj.kind} listed as a resource`);
        }
        objects.push(obj);
      }
    }
  }
  const ids = new Set();
  for (const obj of objects) {
    const id = objectId(obj);
    if (ids.has(id)) {
      throw new Error(`${rel(file)}: ${id} is defined twice`);
    }
    ids.add(id);
  }
  // kustomize's order: patches, then the namespace and images transformers.
  for (const entry of k.patches ?? []) {
    if (!isObject(entry) || typeof entry.path !== "string" || Object.keys(entry).length !== 1) {
      throw new Error(`${rel(file)}: only 'patches: - path: FILE' is supported by the built-in renderer`);
    }
    const patchFile = path.resolve(dir, entry.path);
    for (const patch of readYamlDocuments(patchFile)) {
      const matches = objects.filter(
        (o) =>
          o.kind === patch.kind &&
          o.metadata?.name === patch.metadata?.name &&
          group(o.apiVersion) === group(patch.apiVersion),
      );
      if (matches.length !== 1) {
        throw new Error(`${rel(patchFile)}: patch for ${patch.kind}/${patch.metadata?.name} matches ${matches.length} objects`);
      }
      const index = objects.indexOf(matches[0]);
      const builtin = BUILTIN_GROUPS.test(patch.apiVersion);
      objects[index] = strategicMerge(matches[0], patch, builtin, rel(patchFile));
    }
  }
  if (k.namespace) {
    objects = objects.map((o) => {
      if (CLUSTER_SCOPED.has(o.kind)) {
        return o;
      }
      const copy = clone(o);
      copy.metadata = { ...copy.metadata, namespace: k.namespace };
      return copy;
    });
  }
  for (const image of k.images ?? []) {
    objects = objects.map((o) => setImages(o, image));
  }
  return objects;
}

function group(apiVersion) {
  return apiVersion?.includes("/") ? apiVersion.split("/")[0] : "";
}

function objectId(o) {
  return `${group(o.apiVersion) || "core"}/${o.kind}/${o.metadata?.namespace ?? "-"}/${o.metadata?.name}`;
}

/** Strategic merge of `patch` into `target` (JSON merge semantics for custom resources). */
function strategicMerge(target, patch, builtin, where, field = "") {
  if (isObject(patch) && ("$patch" in patch || Object.keys(patch).some((key) => key.startsWith("$")))) {
    throw new Error(`${where}: patch directives ($patch, $setElementOrder, ...) are not supported by the built-in renderer`);
  }
  if (!isObject(target) || !isObject(patch)) {
    if (Array.isArray(target) && Array.isArray(patch) && builtin) {
      return mergeList(target, patch, field, where);
    }
    return clone(patch);
  }
  const out = clone(target);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else if (key in out) {
      out[key] = strategicMerge(out[key], value, builtin, where, key);
    } else {
      out[key] = clone(value);
    }
  }
  return out;
}

function mergeList(target, patch, field, where) {
  let key = MERGE_KEYS[field];
  if (field === "ports" && [...target, ...patch].every((p) => isObject(p) && CONTAINER_PORTS in p)) {
    key = CONTAINER_PORTS;
  }
  if (!key) {
    return clone(patch);
  }
  const out = clone(target);
  for (const item of patch) {
    if (!isObject(item) || !(key in item)) {
      throw new Error(`${where}: an item of '${field}' has no merge key '${key}'`);
    }
    const index = out.findIndex((t) => isObject(t) && t[key] === item[key]);
    if (index >= 0) {
      out[index] = strategicMerge(out[index], item, true, where, field);
    } else {
      out.push(clone(item));
    }
  }
  return out;
}

function parseImage(image) {
  let rest = image;
  let digest;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

/** The images transformer: rewrites every container image named `image.name`. */
function setImages(obj, image) {
  const copy = clone(obj);
  const visit = (node) => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isObject(node)) {
      return;
    }
    for (const listName of ["containers", "initContainers", "ephemeralContainers"]) {
      for (const container of Array.isArray(node[listName]) ? node[listName] : []) {
        if (typeof container?.image !== "string") {
          continue;
        }
        const parsed = parseImage(container.image);
        if (parsed.name !== image.name) {
          continue;
        }
        const name = image.newName ?? parsed.name;
        if (image.digest) {
          container.image = `${name}@${image.digest}`;
        } else if (image.newTag) {
          container.image = `${name}:${image.newTag}`;
        } else {
          container.image = name + (parsed.tag ? `:${parsed.tag}` : "") + (parsed.digest ? `@${parsed.digest}` : "");
        }
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(copy);
  return copy;
}

/** Renders with a real kustomize when one is installed (kubectl's embedded one or kustomize). */
function renderExternally(dir) {
  const candidates = [
    ["kubectl", ["kustomize", dir]],
    ["kustomize", ["build", dir]],
  ];
  for (const [command, args] of candidates) {
    let output;
    try {
      output = execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      if (e.code === "ENOENT") {
        continue;
      }
      return { tool: `${command} ${args[0]}`, error: String(e.stderr || e.message).trim() };
    }
    const objects = YAML.parseAllDocuments(output)
      .map((d) => d.toJS())
      .filter((o) => o !== null);
    return { tool: `${command} ${args[0]}`, objects };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Schemas

const modelCache = new Map();

/** The kubernetes-models (or @kubernetes-models/keda) class of an object, or null. */
async function modelFor(obj) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (!modelCache.has(key)) {
    const pkg = group(obj.apiVersion) === "keda.sh" ? "@kubernetes-models/keda" : "kubernetes-models";
    const file = path.join(HERE, "node_modules", pkg, obj.apiVersion, `${obj.kind}.mjs`);
    let model = null;
    if (/^[A-Za-z0-9.\/-]+$/.test(key) && fs.existsSync(file)) {
      model = (await import(file))[obj.kind] ?? null;
    }
    modelCache.set(key, model);
  }
  return modelCache.get(key);
}

async function validateSchema(obj, where) {
  const Model = await modelFor(obj);
  if (!check(Model !== null, where, `no schema for ${obj.apiVersion} ${obj.kind}`)) {
    return;
  }
  try {
    new Model(obj).validate();
    passed++;
  } catch (e) {
    const details = Array.isArray(e.details) ? e.details.map((d) => `${d.instancePath || "/"} ${d.message}`) : [e.message];
    problem(where, `schema: ${details.join("; ")}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Project rules for rendered manifests

function parseDuration(text) {
  const m = /^(\d+)(ms|s|m)$/.exec(String(text ?? ""));
  if (!m) {
    return null;
  }
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
}

function labelsMatch(selector, labels) {
  const wanted = selector?.matchLabels ?? {};
  if (selector?.matchExpressions?.length) {
    return false;
  }
  return Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}

function documentedEnvironment() {
  const text = fs.readFileSync(CONFIG_DOC, "utf8");
  return new Set([...text.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
}

/**
 * An environment variable name a service reads: documented, or a generic Quarkus, MicroProfile
 * JWT or JVM one.
 */
function knownEnvironmentName(name, documented) {
  if (name.startsWith("TASKER_")) {
    return documented.has(name);
  }
  return /^(QUARKUS|MP_JWT|SMALLRYE_JWT)_/.test(name) || name === "JDK_JAVA_OPTIONS";
}

/**
 * The Secrets the manifests may use, name -> keys, read from secret.example.yaml. Every value there
 * must be a placeholder (a committed example never holds a real secret), and every Secret must be
 * described in the README.
 */
function documentedSecrets(file = EXAMPLE_SECRETS, readmeFile = K8S_README) {
  const secrets = new Map();
  if (!check(fs.existsSync(file), rel(file), "is missing")) {
    return secrets;
  }
  const readme = fs.existsSync(readmeFile) ? fs.readFileSync(readmeFile, "utf8") : "";
  for (const s of readYamlDocuments(file)) {
    const w = `${rel(file)} ${s.kind}/${s.metadata?.name}`;
    if (!check(s.kind === "Secret" && typeof s.metadata?.name === "string", w, "is not a named Secret")) {
      continue;
    }
    check(s.metadata.namespace === NAMESPACE, w, `namespace is not ${NAMESPACE}`);
    check(s.data === undefined, w, "has data: write placeholders under stringData");
    const values = s.stringData ?? {};
    check(Object.keys(values).length > 0, w, "has no keys");
    for (const [key, value] of Object.entries(values)) {
      check(NON_SECRET_KEYS.has(key) || PLACEHOLDER.test(String(value)), w, `key ${key} is not a placeholder (change-me...): never commit a real secret`);
    }
    check(readme.includes("`" + s.metadata.name + "`"), w, `is not described in ${rel(readmeFile)}`);
    secrets.set(s.metadata.name, Object.keys(values));
  }
  return secrets;
}

/** quarkus.http.port and quarkus.management.port of a service: the ${ENV:default} parts. */
function servicePorts(image) {
  const file = SERVICE_PROPERTIES[parseImage(image ?? "").name];
  if (!file || !fs.existsSync(file)) {
    return null;
  }
  const text = fs.readFileSync(file, "utf8");
  const port = (key) => {
    const m = new RegExp(`^${key.replaceAll(".", "\\.")}=\\$\\{([A-Z_]+):(\\d+)\\}`, "m").exec(text);
    return m ? { env: m[1], port: Number(m[2]) } : null;
  };
  return {
    http: port("quarkus.http.port"),
    management: /^quarkus\.management\.enabled=true$/m.test(text) ? port("quarkus.management.port") : null,
  };
}

/** The port a container serves under a number or a name (NetworkPolicy, probe or Service port). */
function servesPort(ports, port) {
  return (ports ?? []).some((p) => p.containerPort === port || (p.name !== undefined && p.name === port));
}

const namespaceNamed = (peer, name) => peer?.namespaceSelector?.matchLabels?.[NAMESPACE_NAME_LABEL] === name;
const isMonitoringPeer = (peer) => namespaceNamed(peer, MONITORING_NAMESPACE) || (peer?.ipBlock !== undefined && !peer.namespaceSelector && !peer.podSelector);
const isApiClientPeer = (peer) => peer?.podSelector?.matchLabels?.[API_CLIENT_LABEL] === "true";
const isIngressPeer = (peer) => namespaceNamed(peer, INGRESS_NAMESPACE) && !peer.podSelector;
const isTaskerPeer = (peer) => !peer?.namespaceSelector && peer?.podSelector?.matchLabels?.["app.kubernetes.io/part-of"] === "tasker";
const isKedaPeer = (peer) => namespaceNamed(peer, KEDA_NAMESPACE);

/** The peers that the policies selecting a pod admit to one of its ports. */
function admittedPeers(policies, pod, port) {
  const peers = [];
  for (const p of policies) {
    if (!labelsMatch(p.spec?.podSelector, pod.labels)) {
      continue;
    }
    for (const rule of p.spec?.ingress ?? []) {
      const opens = !rule.ports || rule.ports.some((x) => x.port === port.containerPort || (port.name !== undefined && x.port === port.name));
      if (opens) {
        peers.push(...(rule.from ?? [{ everyone: true }]));
      }
    }
  }
  return peers;
}

function checkNetworkPolicies(label, objects, where) {
  const deployments = objects.filter((o) => o.kind === "Deployment");
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const pods = deployments.map((d) => ({
    name: where(d),
    deployment: d,
    labels: d.spec?.template?.metadata?.labels ?? {},
    ports: (d.spec?.template?.spec?.containers ?? []).flatMap((c) => c.ports ?? []),
  }));
  const external = EXTERNAL_PODS.map((e) => ({ ...e, name: `${label} ${e.name} (not rendered)` }));

  check(
    policies.some((p) => isDeepStrictEqual(p.spec?.podSelector, {}) && p.spec?.policyTypes?.includes("Ingress") && !p.spec?.ingress),
    label,
    "no default-deny ingress NetworkPolicy",
  );
  for (const p of policies) {
    const w = where(p);
    if (isDeepStrictEqual(p.spec?.podSelector, {})) {
      check(!p.spec?.ingress, w, "selects every pod and admits traffic: only the default deny may select every pod");
      continue;
    }
    const selected = [...pods, ...external].filter((pod) => labelsMatch(p.spec?.podSelector, pod.labels));
    check(selected.length > 0, w, "selects no pods (no rendered Deployment, nor the documented PostgreSQL pods)");
    for (const rule of p.spec?.ingress ?? []) {
      check(Array.isArray(rule.from) && rule.from.length > 0, w, "has an ingress rule without 'from': it admits every source");
      check(Array.isArray(rule.ports) && rule.ports.length > 0, w, "has an ingress rule without ports: it opens every port");
      for (const peer of rule.from ?? []) {
        check(!(isDeepStrictEqual(peer.namespaceSelector, {}) && !peer.podSelector), w, "admits every pod of the cluster (namespaceSelector: {} alone)");
        check(!["0.0.0.0/0", "::/0"].includes(peer.ipBlock?.cidr), w, `admits every address (ipBlock ${peer.ipBlock?.cidr})`);
        const inThisNamespaceOrAny = !peer.namespaceSelector || isDeepStrictEqual(peer.namespaceSelector, {});
        if (peer.podSelector && inThisNamespaceOrAny && !isDeepStrictEqual(peer.podSelector, {})) {
          check(
            pods.some((pod) => labelsMatch(peer.podSelector, pod.labels)),
            w,
            `admits pods labelled ${JSON.stringify(peer.podSelector.matchLabels ?? peer.podSelector)}, which no rendered pod carries`,
          );
        }
      }
      for (const port of rule.ports ?? []) {
        check(selected.every((pod) => servesPort(pod.ports, port.port)), w, `allows port ${port.port}, which a selected pod does not serve`);
      }
    }
  }

  // What every port of every pod is reachable from.
  for (const pod of pods) {
    const component = pod.labels["app.kubernetes.io/component"];
    for (const port of pod.ports) {
      const peers = admittedPeers(policies, pod, port);
      const what = `${pod.name} port ${port.name ?? port.containerPort}`;
      if (port.name === MANAGEMENT_PORT_NAME) {
        check(peers.length > 0, what, "admits no one: Prometheus cannot scrape it");
        check(peers.every(isMonitoringPeer), what, `is reachable from outside namespace ${MONITORING_NAMESPACE} (health and metrics need no credentials)`);
      } else if (component === "orchestrator" && port.name === "http") {
        check(peers.length > 0, what, "admits no one: no client can reach the API");
        check(peers.every((peer) => isApiClientPeer(peer) || isIngressPeer(peer)), what, `is reachable from pods that are neither labelled ${API_CLIENT_LABEL}: "true" nor in namespace ${INGRESS_NAMESPACE}`);
      } else {
        check(peers.length === 0, what, "is reachable: only the orchestrator's API and the management ports may be");
      }
    }
  }
  for (const pod of external) {
    for (const port of pod.ports) {
      const peers = admittedPeers(policies, pod, port);
      check(peers.every((peer) => isTaskerPeer(peer) || isKedaPeer(peer)), `${pod.name} port ${port.containerPort}`, "is reachable from pods other than tasker's own and KEDA's operator");
    }
  }
  check(
    pods.some((pod) => pod.labels[API_CLIENT_LABEL] === "true"),
    label,
    `no rendered pod carries ${API_CLIENT_LABEL}: "true" (the workers call the API)`,
  );
}

function checkRendered(label, objects, { documented, secrets }) {
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const where = (o) => `${label} ${o.kind}/${o.metadata?.name}`;
  const configMaps = new Map(byKind("ConfigMap").map((c) => [c.metadata.name, c]));
  const deployments = byKind("Deployment");

  check(byKind("Namespace").some((n) => n.metadata?.name === NAMESPACE), label, `renders no Namespace ${NAMESPACE}`);
  check(byKind("Secret").length === 0, label, "renders a Secret: credentials must be created outside the manifests");
  for (const o of objects) {
    if (!CLUSTER_SCOPED.has(o.kind)) {
      check(o.metadata?.namespace === NAMESPACE, where(o), `namespace is ${o.metadata?.namespace}, not ${NAMESPACE}`);
    }
    check(o.metadata?.labels?.["app.kubernetes.io/part-of"] === "tasker", where(o), "has no label app.kubernetes.io/part-of=tasker");
  }

  for (const d of deployments) {
    const w = where(d);
    const pod = d.spec?.template?.spec ?? {};
    check(labelsMatch(d.spec?.selector, d.spec?.template?.metadata?.labels), w, "selector does not match the pod labels");
    check(pod.securityContext?.runAsNonRoot === true, w, "pod securityContext.runAsNonRoot is not true");
    check(pod.securityContext?.runAsUser === 185, w, "pod securityContext.runAsUser is not 185 (the image's user)");
    check(pod.securityContext?.seccompProfile?.type === "RuntimeDefault", w, "pod seccompProfile is not RuntimeDefault");
    const annotations = d.spec?.template?.metadata?.annotations ?? {};
    check(annotations["prometheus.io/scrape"] === "true" && annotations["prometheus.io/path"] === "/q/metrics", w, "no prometheus.io scrape annotations for /q/metrics");
    for (const v of pod.volumes ?? []) {
      if (v.secret) {
        const keys = secrets.get(v.secret.secretName);
        check(keys !== undefined, w, `volume ${v.name} mounts Secret ${v.secret.secretName}, which secret.example.yaml does not describe`);
        for (const item of v.secret.items ?? []) {
          check((keys ?? []).includes(item.key), w, `volume ${v.name} mounts key ${item.key} of Secret ${v.secret.secretName}, which secret.example.yaml does not describe`);
        }
      }
    }
    const tmpVolumes = new Set((pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
    check((pod.containers ?? []).length > 0, w, "has no containers");
    for (const c of pod.containers ?? []) {
      const cw = `${w} container ${c.name}`;
      const image = parseImage(c.image ?? "");
      check(Boolean(image.tag || image.digest) && image.tag !== "latest", cw, `image ${c.image} is not pinned to a tag or digest`);
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const p = c[probe];
        if (!check(Boolean(p?.httpGet), cw, `has no HTTP ${probe}`)) {
          continue;
        }
        const portOk =
          typeof p.httpGet.port === "number"
            ? (c.ports ?? []).some((x) => x.containerPort === p.httpGet.port)
            : (c.ports ?? []).some((x) => x.name === p.httpGet.port);
        check(portOk, cw, `${probe} port ${p.httpGet.port} is not a port of the container`);
      }
      check(c.readinessProbe?.httpGet?.path === "/q/health/ready", cw, "readinessProbe is not /q/health/ready");
      // Health is served only by the management interface, never on the API port.
      const management = (c.ports ?? []).find((x) => x.name === MANAGEMENT_PORT_NAME);
      if (check(management !== undefined, cw, `has no container port named ${MANAGEMENT_PORT_NAME} (health and metrics)`)) {
        for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
          const port = c[probe]?.httpGet?.port;
          check(port === MANAGEMENT_PORT_NAME || port === management.containerPort, cw, `${probe} targets port ${port}, not the management port`);
        }
        check(annotations["prometheus.io/port"] === String(management.containerPort), w, `prometheus.io/port is not the management port ${management.containerPort}`);
      }
      const ports = servicePorts(c.image);
      if (check(ports?.management != null, cw, `image ${c.image}: its application.properties enables no management interface on a \${ENV:port}`)) {
        const set = (c.env ?? []).find((e) => e.name === ports.management.env);
        const effective = set ? Number(set.value) : ports.management.port;
        check(management?.containerPort === effective, cw, `the management interface listens on ${effective} (${ports.management.env}), but the container port ${MANAGEMENT_PORT_NAME} is ${management?.containerPort}`);
        const http = (c.ports ?? []).find((x) => x.name === "http");
        if (http && ports.http) {
          const httpSet = (c.env ?? []).find((e) => e.name === ports.http.env);
          check(http.containerPort === (httpSet ? Number(httpSet.value) : ports.http.port), cw, `container port http ${http.containerPort} is not the service's HTTP port`);
        }
      }
      check(c.livenessProbe?.httpGet?.path === "/q/health/live", cw, "livenessProbe is not /q/health/live");
      for (const kind of ["requests", "limits"]) {
        for (const resource of ["cpu", "memory"]) {
          check(c.resources?.[kind]?.[resource] !== undefined, cw, `no resources.${kind}.${resource}`);
        }
      }
      const sc = c.securityContext ?? {};
      check(sc.readOnlyRootFilesystem === true, cw, "readOnlyRootFilesystem is not true");
      check(sc.allowPrivilegeEscalation === false, cw, "allowPrivilegeEscalation is not false");
      check((sc.capabilities?.drop ?? []).includes("ALL"), cw, "capabilities do not drop ALL");
      check((c.volumeMounts ?? []).some((m) => m.mountPath === "/tmp" && tmpVolumes.has(m.name)), cw, "/tmp is not an emptyDir (the root filesystem is read-only)");
      for (const e of c.env ?? []) {
        check(knownEnvironmentName(e.name, documented), cw, `environment variable ${e.name} is not in docs/configuration.md`);
        const secretRef = e.valueFrom?.secretKeyRef;
        if (secretRef) {
          check((secrets.get(secretRef.name) ?? []).includes(secretRef.key), cw, `${e.name} refers to secret ${secretRef.name} key ${secretRef.key}, which secret.example.yaml does not describe`);
        }
        const mapRef = e.valueFrom?.configMapKeyRef;
        if (mapRef) {
          const map = configMaps.get(mapRef.name);
          check(map !== undefined && mapRef.key in (map.data ?? {}), cw, `${e.name} refers to ConfigMap ${mapRef.name} key ${mapRef.key}, which is not rendered`);
        }
        if (/PASSWORD|USER(NAME)?$|SECRET|_KEY$/.test(e.name)) {
          check(e.value === undefined, cw, `${e.name} has a literal value: take it from a Secret`);
        }
      }
      // A JWT public key given as a file must be a file of a mounted Secret.
      const jwtKey = (c.env ?? []).find((e) => e.name === "MP_JWT_VERIFY_PUBLICKEY_LOCATION")?.value;
      if (typeof jwtKey === "string" && jwtKey.startsWith("/")) {
        const mount = (c.volumeMounts ?? []).find((m) => jwtKey.startsWith(m.mountPath.replace(/\/$/, "") + "/"));
        const volume = (pod.volumes ?? []).find((v) => v.name === mount?.name);
        const file = mount ? jwtKey.slice(mount.mountPath.replace(/\/$/, "").length + 1) : null;
        const files = volume?.secret ? volume.secret.items?.map((i) => i.path) ?? secrets.get(volume.secret.secretName) ?? [] : [];
        check(files.includes(file), cw, `MP_JWT_VERIFY_PUBLICKEY_LOCATION ${jwtKey} is not a file of a mounted Secret`);
      }
    }
  }

  const orchestrator = deployments.find((d) => d.metadata.name === "tasker-orchestrator");
  if (check(orchestrator !== undefined, label, "no Deployment tasker-orchestrator")) {
    const w = where(orchestrator);
    const c = orchestrator.spec.template.spec.containers[0];
    check((c.ports ?? []).some((p) => p.name === "http" && p.containerPort === 8080), w, "does not expose the API as port http (8080)");
    check(Number.isInteger(orchestrator.spec.replicas) && orchestrator.spec.replicas >= 1, w, "replicas is not set");
    const env = new Set((c.env ?? []).map((e) => e.name));
    for (const name of ["TASKER_DB_REACTIVE_URL", "TASKER_DB_JDBC_URL", "TASKER_DB_USER", "TASKER_DB_PASSWORD"]) {
      check(env.has(name), w, `does not set ${name}`);
    }
    // Authentication stays on: its default, so the variable is not set at all.
    check(!env.has("TASKER_AUTH_ENABLED"), w, "sets TASKER_AUTH_ENABLED: leave it unset (authentication on)");
    const keySecret = (c.env ?? []).find((e) => e.name === "TASKER_AUTH_KEY_SECRET");
    check(keySecret?.valueFrom?.secretKeyRef !== undefined && keySecret.valueFrom.secretKeyRef.optional !== true, w, "does not take TASKER_AUTH_KEY_SECRET from a (required) Secret");
  }

  const workers = deployments.filter((d) => d.metadata?.labels?.["app.kubernetes.io/component"] === "worker");
  check(workers.length > 0, label, "no worker Deployment (label app.kubernetes.io/component=worker)");
  for (const d of workers) {
    const w = where(d);
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    const drain = parseDuration(env.TASKER_WORKER_SHUTDOWN_DRAIN_TIMEOUT ?? "30s");
    const shutdown = parseDuration(env.QUARKUS_SHUTDOWN_TIMEOUT ?? "40s");
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    check(drain !== null && shutdown !== null, w, "drain or shutdown timeout is not a duration");
    check(shutdown > drain, w, `QUARKUS_SHUTDOWN_TIMEOUT (${shutdown}s) is not above the drain timeout (${drain}s)`);
    check(grace > shutdown, w, `terminationGracePeriodSeconds (${grace}) is not above QUARKUS_SHUTDOWN_TIMEOUT (${shutdown}s)`);
    check((c.ports ?? []).every((p) => p.name === MANAGEMENT_PORT_NAME), w, "exposes a port other than the management port (workers serve no API)");
    check((c.env ?? []).some((e) => e.name === "TASKER_WORKER_ORCHESTRATOR_API_KEY" && e.valueFrom?.secretKeyRef), w, "does not take TASKER_WORKER_ORCHESTRATOR_API_KEY from a Secret");
    check(d.spec.template.metadata.labels?.[API_CLIENT_LABEL] === "true", w, `pods are not labelled ${API_CLIENT_LABEL}: "true", so they cannot register templates`);
    check((c.env ?? []).some((e) => e.name === "TASKER_WORKER_NAMESPACES"), w, "does not set TASKER_WORKER_NAMESPACES");
    check(d.spec.replicas === undefined, w, "sets spec.replicas although KEDA owns the replica count");
    const scaled = byKind("ScaledObject").filter((s) => s.spec?.scaleTargetRef?.name === d.metadata.name);
    check(scaled.length === 1, w, `is the target of ${scaled.length} ScaledObjects, not 1`);
  }

  for (const pdb of byKind("PodDisruptionBudget")) {
    const w = where(pdb);
    const targets = deployments.filter((d) => labelsMatch(pdb.spec?.selector, d.spec.template.metadata.labels));
    check(targets.length === 1, w, `selects the pods of ${targets.length} Deployments, not 1`);
    check((pdb.spec?.minAvailable === undefined) !== (pdb.spec?.maxUnavailable === undefined), w, "needs exactly one of minAvailable and maxUnavailable");
    const target = targets[0];
    if (target && pdb.spec?.minAvailable !== undefined && Number.isInteger(target.spec.replicas)) {
      check(pdb.spec.minAvailable < target.spec.replicas, w, `minAvailable ${pdb.spec.minAvailable} with ${target.spec.replicas} replicas blocks every eviction`);
    }
  }
  check(byKind("PodDisruptionBudget").length === deployments.length, label, "not every Deployment has a PodDisruptionBudget");

  for (const svc of byKind("Service")) {
    const w = where(svc);
    const targets = deployments.filter((d) => labelsMatch({ matchLabels: svc.spec?.selector }, d.spec.template.metadata.labels));
    check(targets.length === 1, w, `selects the pods of ${targets.length} Deployments, not 1`);
    for (const port of svc.spec?.ports ?? []) {
      const ok = targets.some((d) =>
        d.spec.template.spec.containers.some((c) =>
          (c.ports ?? []).some((p) => p.name === port.targetPort || p.containerPort === port.targetPort),
        ),
      );
      check(ok, w, `targetPort ${port.targetPort} is not a container port`);
    }
  }

  const hpas = byKind("HorizontalPodAutoscaler");
  check(hpas.length > 0, label, "no HorizontalPodAutoscaler");
  for (const hpa of hpas) {
    const w = where(hpa);
    const target = deployments.find((d) => hpa.spec?.scaleTargetRef?.kind === "Deployment" && d.metadata.name === hpa.spec.scaleTargetRef.name);
    if (check(target !== undefined, w, "scaleTargetRef is not a rendered Deployment")) {
      check(hpa.spec.minReplicas <= hpa.spec.maxReplicas, w, "minReplicas is above maxReplicas");
      check(target.spec.replicas >= hpa.spec.minReplicas && target.spec.replicas <= hpa.spec.maxReplicas, w, `Deployment replicas ${target.spec.replicas} is outside ${hpa.spec.minReplicas}..${hpa.spec.maxReplicas}`);
      check(byKind("ScaledObject").every((s) => s.spec?.scaleTargetRef?.name !== target.metadata.name), w, "targets a Deployment that KEDA also scales");
    }
    check((hpa.spec?.metrics ?? []).some((m) => m.type === "Resource" && m.resource?.name === "cpu"), w, "does not scale on CPU");
  }

  checkKeda(label, objects, deployments, where, secrets);

  checkNetworkPolicies(label, objects, where);
}

/** The namespaces a worker Deployment serves (TASKER_WORKER_NAMESPACES), or null. */
function servedNamespaces(deployment, objects) {
  const env = deployment?.spec?.template?.spec?.containers?.[0]?.env ?? [];
  const e = env.find((x) => x.name === "TASKER_WORKER_NAMESPACES");
  let value = e?.value;
  const ref = e?.valueFrom?.configMapKeyRef;
  if (ref) {
    value = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === ref.name)?.data?.[ref.key];
  }
  return typeof value === "string" ? value.split(",").map((s) => s.trim()).filter(Boolean) : null;
}

function checkKeda(label, objects, deployments, where, secrets) {
  const auths = new Set(objects.filter((o) => o.kind === "TriggerAuthentication").map((o) => o.metadata.name));
  for (const so of objects.filter((o) => o.kind === "ScaledObject")) {
    const w = where(so);
    const spec = so.spec ?? {};
    check(so.apiVersion === "keda.sh/v1alpha1", w, `apiVersion ${so.apiVersion} is not keda.sh/v1alpha1`);
    check(deployments.some((d) => d.metadata.name === spec.scaleTargetRef?.name), w, "scaleTargetRef.name is not a rendered Deployment");
    check((spec.minReplicaCount ?? 0) <= (spec.maxReplicaCount ?? 100), w, "minReplicaCount is above maxReplicaCount");
    check(Array.isArray(spec.triggers) && spec.triggers.length > 0, w, "has no triggers");
    for (const [i, t] of (spec.triggers ?? []).entries()) {
      const tw = `${w} trigger ${i}`;
      check(typeof t.type === "string" && t.type.length > 0, tw, "has no type");
      check(isObject(t.metadata), tw, "has no metadata");
      if (t.authenticationRef) {
        check(auths.has(t.authenticationRef.name), tw, `authenticationRef ${t.authenticationRef.name} is not a rendered TriggerAuthentication`);
      }
      if (t.type === "postgresql") {
        const m = t.metadata ?? {};
        check(/pgmq\.metrics\(/.test(m.query ?? "") && /queue_length/.test(m.query ?? ""), tw, "query does not read queue_length from pgmq.metrics");
        check(Number(m.targetQueryValue) > 0, tw, "targetQueryValue is not a positive number");
        check(Boolean(m.connectionFromEnv || m.host || t.authenticationRef), tw, "has no connection settings");
        // The queues counted must be exactly those of the namespaces the target Deployment serves.
        const queues = [...(m.query ?? "").matchAll(/pgmq\.metrics\('([^']+)'\)/g)].map((q) => q[1]).sort();
        const target = deployments.find((d) => d.metadata.name === spec.scaleTargetRef?.name);
        const served = servedNamespaces(target, objects);
        const expected = (served ?? []).map((ns) => `worker_${ns}_queue`).sort();
        check(served !== null && isDeepStrictEqual(queues, expected), tw, `query counts [${queues}] but the Deployment serves [${expected}]`);
      }
    }
  }
  for (const ta of objects.filter((o) => o.kind === "TriggerAuthentication")) {
    const w = where(ta);
    const refs = ta.spec?.secretTargetRef ?? [];
    check(refs.length > 0, w, "has no secretTargetRef");
    for (const ref of refs) {
      check(typeof ref.parameter === "string", w, "a secretTargetRef has no parameter");
      check((secrets.get(ref.name) ?? []).includes(ref.key), w, `secretTargetRef ${ref.name}/${ref.key} is not a documented secret key`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical comparison with a real kustomize

function canonical(value) {
  if (Array.isArray(value)) {
    return value.map(canonical);
  }
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical(value[k])]),
    );
  }
  return value;
}

function compareRenders(label, ours, theirs, tool) {
  const index = (objects) => new Map(objects.map((o) => [objectId(o), JSON.stringify(canonical(o))]));
  const a = index(ours);
  const b = index(theirs);
  for (const [id, json] of a) {
    if (!b.has(id)) {
      problem(label, `${id} is rendered by the built-in renderer but not by ${tool}`);
    } else if (b.get(id) !== json) {
      problem(label, `${id} differs between the built-in renderer and ${tool}:\n    ours:   ${json}\n    theirs: ${b.get(id)}`);
    } else {
      passed++;
    }
  }
  for (const id of b.keys()) {
    if (!a.has(id)) {
      problem(label, `${id} is rendered by ${tool} but not by the built-in renderer`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

const DEPENDS_CONDITIONS = new Set(["service_started", "service_healthy", "service_completed_successfully"]);

function checkCompose(documented, COMPOSE = COMPOSE_FILE) {
  const label = rel(COMPOSE);
  let compose;
  try {
    const docs = readYamlDocuments(COMPOSE);
    compose = docs[0];
    check(docs.length === 1 && isObject(compose), label, "is not a single YAML mapping");
  } catch (e) {
    problem(label, e.message);
    return;
  }
  const services = compose.services ?? {};
  check(isObject(services), label, "has no services mapping");
  for (const name of ["postgres", "orchestrator", "worker"]) {
    check(isObject(services[name]), label, `has no service ${name}`);
  }
  const volumes = new Set(Object.keys(compose.volumes ?? {}));
  for (const [name, svc] of Object.entries(services)) {
    const w = `${label} service ${name}`;
    if (!check(isObject(svc), w, "is not a mapping")) {
      continue;
    }
    check(Boolean(svc.image || svc.build), w, "has neither image nor build");
    if (svc.build) {
      const build = typeof svc.build === "string" ? { context: svc.build } : svc.build;
      const context = path.resolve(path.dirname(COMPOSE), build.context ?? ".");
      check(fs.existsSync(context) && fs.statSync(context).isDirectory(), w, `build context ${build.context} is not a directory`);
      if (build.dockerfile) {
        check(fs.existsSync(path.resolve(context, build.dockerfile)), w, `dockerfile ${build.dockerfile} does not exist`);
      }
    }
    const dependsOn = svc.depends_on ?? [];
    const deps = Array.isArray(dependsOn) ? Object.fromEntries(dependsOn.map((d) => [d, {}])) : dependsOn;
    for (const [dep, spec] of Object.entries(deps)) {
      check(dep in services, w, `depends on ${dep}, which is not a service`);
      const condition = spec?.condition ?? "service_started";
      check(DEPENDS_CONDITIONS.has(condition), w, `depends_on ${dep} has an unknown condition ${condition}`);
      if (condition === "service_healthy") {
        check(Boolean(services[dep]?.healthcheck), w, `waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
    }
    for (const v of svc.volumes ?? []) {
      const source = typeof v === "string" ? v.split(":")[0] : v?.source;
      if (source && !source.startsWith(".") && !source.startsWith("/") && !source.startsWith("~")) {
        check(volumes.has(source), w, `uses volume ${source}, which is not declared under volumes`);
      } else if (source?.startsWith(".")) {
        check(fs.existsSync(path.resolve(path.dirname(COMPOSE), source)), w, `mounts ${source}, which does not exist`);
      }
    }
    const env = Array.isArray(svc.environment)
      ? svc.environment.map((e) => String(e).split("=")[0])
      : Object.keys(svc.environment ?? {});
    if (name !== "postgres") {
      for (const e of env) {
        check(knownEnvironmentName(e, documented), w, `environment variable ${e} is not in docs/configuration.md`);
      }
    }
    if (svc.healthcheck?.test) {
      check(Array.isArray(svc.healthcheck.test) || typeof svc.healthcheck.test === "string", w, "healthcheck.test is neither a list nor a string");
    }
  }
  const worker = services.worker ?? {};
  check(!worker.ports || worker.ports.length === 0, `${label} service worker`, "publishes a host port, so it cannot be scaled");
  const grace = parseDuration(worker.stop_grace_period ?? "10s");
  check(grace !== null && grace > 40, `${label} service worker`, `stop_grace_period ${worker.stop_grace_period} is not above quarkus.shutdown.timeout (40s)`);
  check(Boolean(services.orchestrator?.healthcheck), `${label} service orchestrator`, "has no healthcheck (the worker waits for it)");

  // Health and metrics on the management ports: the healthchecks and Prometheus use them.
  const managementPorts = {};
  for (const [name, image] of [["orchestrator", "tasker/orchestrator"], ["worker", "tasker/worker"]]) {
    const svc = services[name];
    const ports = servicePorts(image);
    const w = `${label} service ${name}`;
    if (!isObject(svc) || !check(ports?.management != null, w, "its application.properties enables no management interface")) {
      continue;
    }
    const env = Array.isArray(svc.environment)
      ? Object.fromEntries(svc.environment.map((e) => String(e).split("=")))
      : (svc.environment ?? {});
    const management = Number(env[ports.management.env] ?? ports.management.port);
    const http = Number(env[ports.http?.env] ?? ports.http?.port);
    managementPorts[name] = management;
    const test = [svc.healthcheck?.test ?? []].flat().join(" ");
    check(test.includes(`localhost:${management}/q/health/ready`), w, `healthcheck does not call /q/health/ready on the management port ${management}`);
    check(!test.includes(`:${http}/`), w, `healthcheck calls the HTTP port ${http}, which serves no health`);
    if (name === "orchestrator") {
      const published = (svc.ports ?? []).map((p) => String(typeof p === "object" ? p.target : p.split(":").at(-1)));
      check(published.includes(String(http)) && published.includes(String(management)), w, `does not publish both the API (${http}) and the management port (${management})`);
    }
  }
  checkPrometheus(label, services, managementPorts, COMPOSE);

  // The real parser, when installed (it needs no Docker daemon).
  for (const [command, args] of [
    ["docker", ["compose", "-f", COMPOSE, "config", "-q"]],
    ["docker-compose", ["-f", COMPOSE, "config", "-q"]],
  ]) {
    try {
      execFileSync(command, args, { stdio: ["ignore", "pipe", "pipe"], cwd: path.dirname(COMPOSE) });
      passed++;
      console.log(`compose: ${command} ${args[0] === "compose" ? "compose " : ""}config -q passed`);
      return;
    } catch (e) {
      const stderr = String(e.stderr ?? "");
      if (e.code === "ENOENT" || /unknown command|is not a docker command|unknown shorthand flag/.test(stderr)) {
        continue;
      }
      problem(label, `${command} config -q: ${stderr.trim() || e.message}`);
      return;
    }
  }
  console.log("compose: neither `docker compose` nor `docker-compose` is installed; structural checks only");
}

// ---------------------------------------------------------------------------------------------
/** The Prometheus service of the compose file scrapes /q/metrics on the management ports. */
function checkPrometheus(label, services, managementPorts, composeFile) {
  const prometheus = services.prometheus;
  if (!isObject(prometheus)) {
    return;
  }
  const w = `${label} service prometheus`;
  const mount = (prometheus.volumes ?? [])
    .map((v) => (typeof v === "string" ? v.split(":") : [v.source, v.target]))
    .find(([, target]) => target === "/etc/prometheus/prometheus.yml");
  if (!check(mount !== undefined, w, "mounts no /etc/prometheus/prometheus.yml")) {
    return;
  }
  const file = path.resolve(path.dirname(composeFile), mount[0]);
  if (!check(fs.existsSync(file), w, `${mount[0]} does not exist`)) {
    return;
  }
  const config = readYamlDocuments(file)[0] ?? {};
  for (const [service, port] of Object.entries(managementPorts)) {
    const jobs = (config.scrape_configs ?? []).filter((job) =>
      [
        ...(job.static_configs ?? []).flatMap((s) => s.targets ?? []),
        ...(job.dns_sd_configs ?? []).flatMap((s) => (s.names ?? []).map((n) => `${n}:${s.port}`)),
      ].includes(`${service}:${port}`),
    );
    check(jobs.length === 1, rel(file), `does not scrape ${service} on its management port ${port}`);
    check(jobs.every((job) => job.metrics_path === "/q/metrics"), rel(file), `the job of ${service} does not read /q/metrics`);
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const documented = documentedEnvironment();
  const secrets = documentedSecrets();
  const overlaysDir = path.join(K8S, "overlays");
  const targets = [path.join(K8S, "base")];
  for (const name of fs.readdirSync(overlaysDir).sort()) {
    if (findKustomization(path.join(overlaysDir, name))) {
      targets.push(path.join(overlaysDir, name));
    }
  }
  check(targets.length >= 3, rel(K8S), "expected the base and at least the dev and prod overlays");

  const rendered = {};
  for (const dir of targets) {
    const label = rel(dir);
    let objects;
    try {
      objects = render(dir);
      passed++;
    } catch (e) {
      problem(label, `render: ${e.message}`);
      continue;
    }
    const external = renderExternally(dir);
    if (external === null) {
      console.log(`${label}: no kubectl or kustomize on the PATH; built-in render only`);
    } else if (external.error) {
      problem(label, `${external.tool}: ${external.error}`);
    } else {
      compareRenders(label, objects, external.objects, external.tool);
      console.log(`${label}: ${external.tool} renders the same ${external.objects.length} objects`);
    }
    for (const obj of objects) {
      await validateSchema(obj, `${label} ${obj.kind}/${obj.metadata?.name}`);
    }
    checkRendered(label, objects, { documented, secrets });
    rendered[path.basename(dir)] = objects;
    console.log(`${label}: ${objects.length} objects (${[...new Set(objects.map((o) => o.kind))].join(", ")})`);
  }

  // What the overlays are for.
  const replicas = (objects, name) => objects?.find((o) => o.kind === "Deployment" && o.metadata.name === name)?.spec?.replicas;
  const field = (objects, kind, f) => objects?.find((o) => o.kind === kind)?.spec?.[f];
  if (rendered.dev) {
    check(replicas(rendered.dev, "tasker-orchestrator") === 1, "overlays/dev", "does not run exactly one orchestrator");
    check(field(rendered.dev, "ScaledObject", "minReplicaCount") >= 1, "overlays/dev", "KEDA minReplicaCount is below 1");
  }
  if (rendered.prod) {
    check(replicas(rendered.prod, "tasker-orchestrator") >= 3, "overlays/prod", "runs fewer than three orchestrators");
    check(field(rendered.prod, "HorizontalPodAutoscaler", "maxReplicas") === 10, "overlays/prod", "HPA maxReplicas is not 10");
    check(field(rendered.prod, "ScaledObject", "maxReplicaCount") === 20, "overlays/prod", "KEDA maxReplicaCount is not 20");
    const prodKustomization = readYamlDocuments(findKustomization(path.join(overlaysDir, "prod")))[0];
    check((prodKustomization.images ?? []).every((i) => i.newTag || i.digest) && (prodKustomization.images ?? []).length >= 2, "overlays/prod", "does not pin both images");
  }

  checkCompose(documented);

  for (const p of problems) {
    console.error(`PROBLEM ${p}`);
  }
  console.log(`deploy-validate: ${passed} passed, ${problems.length} failed`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

export {
  K8S,
  ROOT,
  checkCompose,
  checkRendered,
  documentedEnvironment,
  documentedSecrets,
  problems,
  render,
};

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
