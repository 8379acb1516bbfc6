// Tests of the validator (node --test, run by run.sh): each breaks a copy of the rendered base or
// of the compose file in one way and shows that validate.mjs reports exactly that kind of problem.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { K8S, ROOT, checkCompose, checkRendered, documentedEnvironment, documentedSecrets, problems, render } from "./validate.mjs";

const documented = documentedEnvironment();
const secrets = documentedSecrets();
const base = render(path.join(K8S, "base"));

/** The problems `fn` reports, alone. */
function problemsOf(fn) {
  problems.length = 0;
  fn();
  const found = [...problems];
  problems.length = 0;
  return found;
}

/** The problems of the base after `mutate` changed a copy of it. */
function problemsAfter(mutate) {
  const objects = structuredClone(base);
  const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  mutate({
    orchestrator: find("Deployment", "tasker-orchestrator").spec.template,
    worker: find("Deployment", "tasker-worker-examples").spec.template,
    policy: (name) => find("NetworkPolicy", name).spec,
  });
  return problemsOf(() => checkRendered("base", objects, { documented, secrets }));
}

const env = (template, name) => template.spec.containers[0].env.find((e) => e.name === name);

function assertReports(found, ...patterns) {
  assert.ok(found.length > 0, "no problem reported");
  for (const pattern of patterns) {
    assert.ok(found.some((p) => pattern.test(p)), `no problem matches ${pattern}:\n  ${found.join("\n  ")}`);
  }
}

test("the committed base passes", () => {
  assert.deepEqual(problemsOf(() => checkRendered("base", base, { documented, secrets })), []);
});

test("a probe on the API port is refused: health is served on the management port only", () => {
  const found = problemsAfter(({ orchestrator }) => {
    orchestrator.spec.containers[0].readinessProbe.httpGet.port = "http";
  });
  assertReports(found, /orchestrator: readinessProbe targets port http, not the management port/);
});

test("a management port that is not the one the service listens on is refused", () => {
  const found = problemsAfter(({ worker }) => {
    worker.spec.containers[0].ports[0].containerPort = 9002;
    worker.metadata.annotations["prometheus.io/port"] = "9002";
  });
  assertReports(found, /listens on 9001 \(TASKER_MANAGEMENT_PORT\), but the container port management is 9002/);
});

test("the Prometheus annotation must name the management port", () => {
  const found = problemsAfter(({ orchestrator }) => {
    orchestrator.metadata.annotations["prometheus.io/port"] = "8080";
  });
  assertReports(found, /prometheus\.io\/port is not the management port 9000/);
});

test("an API open to every pod of the cluster is refused", () => {
  const found = problemsAfter(({ policy }) => {
    policy("tasker-orchestrator-allow-api").ingress[0].from = [{ namespaceSelector: {} }];
  });
  assertReports(
    found,
    /tasker-orchestrator-allow-api: admits every pod of the cluster/,
    /tasker-orchestrator port http: is reachable from pods that are neither labelled tasker\.io\/api-client/,
  );
});

test("a rule without 'from' or without ports is refused", () => {
  const found = problemsAfter(({ policy }) => {
    delete policy("tasker-worker-allow-management").ingress[0].from;
    delete policy("tasker-orchestrator-allow-management").ingress[0].ports;
  });
  assertReports(
    found,
    /tasker-worker-allow-management: has an ingress rule without 'from'/,
    /tasker-orchestrator-allow-management: has an ingress rule without ports/,
    /tasker-orchestrator port http: is reachable from pods that are neither/,
  );
});

test("a management port reachable from outside the monitoring namespace is refused", () => {
  const found = problemsAfter(({ policy }) => {
    policy("tasker-worker-allow-management").ingress[0].from.push({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "team-a" } },
    });
  });
  assertReports(found, /tasker-worker-examples port management: is reachable from outside namespace monitoring/);
});

test("a management port no one may reach is refused: Prometheus could not scrape it", () => {
  const found = problemsAfter(({ policy }) => {
    policy("tasker-orchestrator-allow-management").ingress = [];
  });
  assertReports(found, /tasker-orchestrator port management: admits no one/);
});

test("a worker port other than the management port is refused, and reaching it too", () => {
  const found = problemsAfter(({ worker, policy }) => {
    worker.spec.containers[0].ports.push({ name: "http", containerPort: 8081, protocol: "TCP" });
    policy("tasker-worker-allow-management").ingress.push({
      from: [{ podSelector: { matchLabels: { "app.kubernetes.io/part-of": "tasker" } } }],
      ports: [{ protocol: "TCP", port: "http" }],
    });
  });
  assertReports(found, /exposes a port other than the management port/, /tasker-worker-examples port http: is reachable/);
});

test("PostgreSQL reachable from other pods than tasker's and KEDA's is refused", () => {
  const found = problemsAfter(({ policy }) => {
    policy("tasker-postgres-allow-tasker").ingress[0].from.push({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "team-a" } },
    });
  });
  assertReports(found, /PostgreSQL \(not rendered\) port 5432: is reachable from pods other than tasker's own/);
});

test("a policy or a peer that selects labels no pod carries is refused", () => {
  const found = problemsAfter(({ worker, policy }) => {
    delete worker.metadata.labels["tasker.io/api-client"];
    policy("tasker-worker-allow-management").podSelector = { matchLabels: { "app.kubernetes.io/component": "wroker" } };
  });
  assertReports(
    found,
    /tasker-worker-allow-management: selects no pods/,
    /tasker-orchestrator-allow-api: admits pods labelled \{"tasker\.io\/api-client":"true"\}, which no rendered pod carries/,
    /pods are not labelled tasker\.io\/api-client: "true"/,
  );
});

test("a Secret or key that secret.example.yaml does not describe is refused", () => {
  const found = problemsAfter(({ orchestrator, worker }) => {
    env(orchestrator, "TASKER_AUTH_KEY_SECRET").valueFrom.secretKeyRef.key = "hmac";
    env(worker, "TASKER_WORKER_ORCHESTRATOR_API_KEY").valueFrom.secretKeyRef.name = "tasker-keys";
  });
  assertReports(
    found,
    /TASKER_AUTH_KEY_SECRET refers to secret tasker-auth key hmac, which secret\.example\.yaml does not describe/,
    /TASKER_WORKER_ORCHESTRATOR_API_KEY refers to secret tasker-keys key api-key/,
  );
});

test("a secret given as a literal value is refused", () => {
  const found = problemsAfter(({ orchestrator }) => {
    const e = env(orchestrator, "TASKER_AUTH_KEY_SECRET");
    delete e.valueFrom;
    e.value = "not-in-a-secret";
  });
  assertReports(found, /TASKER_AUTH_KEY_SECRET has a literal value/, /does not take TASKER_AUTH_KEY_SECRET from a \(required\) Secret/);
});

test("turning authentication off in the manifests is refused", () => {
  const found = problemsAfter(({ orchestrator }) => {
    orchestrator.spec.containers[0].env.push({ name: "TASKER_AUTH_ENABLED", value: "false" });
  });
  assertReports(found, /sets TASKER_AUTH_ENABLED: leave it unset/);
});

test("a JWT public key file that no mounted Secret provides is refused", () => {
  const found = problemsAfter(({ orchestrator }) => {
    env(orchestrator, "MP_JWT_VERIFY_PUBLICKEY_LOCATION").value = "/etc/tasker/keys/public-key.pem";
  });
  assertReports(found, /MP_JWT_VERIFY_PUBLICKEY_LOCATION \/etc\/tasker\/keys\/public-key\.pem is not a file of a mounted Secret/);
  const unknownVolume = problemsAfter(({ orchestrator }) => {
    orchestrator.spec.volumes.find((v) => v.name === "jwt").secret.secretName = "jwt-keys";
  });
  assertReports(unknownVolume, /volume jwt mounts Secret jwt-keys, which secret\.example\.yaml does not describe/);
});

/** Runs `fn` with a file written beside the real one (same directory, so relative paths hold). */
function withTempFile(beside, text, fn) {
  const file = path.join(path.dirname(beside), `.validate-test-${process.pid}-${path.basename(beside)}`);
  fs.writeFileSync(file, text);
  try {
    return fn(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

test("a secret.example.yaml with a real-looking value, or a Secret the README does not name, is refused", () => {
  const example = path.join(K8S, "base", "secret.example.yaml");
  const docs = fs.readFileSync(example, "utf8").replace("key-secret: change-me", "key-secret: 3f9a1c7e5d2b8a6f");
  const extra = `${docs}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: tasker-undocumented\n  namespace: tasker\nstringData:\n  token: change-me\n`;
  const found = withTempFile(example, extra, (file) => problemsOf(() => documentedSecrets(file)));
  assertReports(
    found,
    /Secret\/tasker-auth: key key-secret is not a placeholder/,
    /Secret\/tasker-undocumented: is not described in deploy\/k8s\/README\.md/,
  );
});

test("the committed compose file passes, and healthchecks or scrapes of the API port are refused", () => {
  const composeFile = path.join(ROOT, "docker-compose.yml");
  const compose = fs.readFileSync(composeFile, "utf8");
  assert.deepEqual(problemsOf(() => checkCompose(documented, composeFile)), []);

  const onApiPort = compose.replace("http://localhost:9000/q/health/ready", "http://localhost:8080/q/health/ready");
  const found = withTempFile(composeFile, onApiPort, (file) => problemsOf(() => checkCompose(documented, file)));
  assertReports(found, /service orchestrator: healthcheck does not call \/q\/health\/ready on the management port 9000/, /calls the HTTP port 8080/);

  const promFile = path.join(ROOT, "deploy", "prometheus", "prometheus.yml");
  const prom = YAML.parse(fs.readFileSync(promFile, "utf8"));
  prom.scrape_configs[0].static_configs[0].targets = ["orchestrator:8080"];
  const scrapes = withTempFile(promFile, YAML.stringify(prom), (promCopy) =>
    withTempFile(composeFile, compose.replace("./deploy/prometheus/prometheus.yml:", `./deploy/prometheus/${path.basename(promCopy)}:`), (file) =>
      problemsOf(() => checkCompose(documented, file)),
    ),
  );
  assertReports(scrapes, /does not scrape orchestrator on its management port 9000/);
});
