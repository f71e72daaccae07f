import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { ensureHelm, repoRoot, toolsBin } from '../../scripts/lib/tools.js';
import { configSchema, loadConfig } from '../../src/config.js';
import { temporalConnectionOptions } from '../../src/temporal.js';
import { searchAttributeFlags } from '../../workflows/definitions.js';
import { realProviderEnv, strongPassword } from '../helpers/production-env.js';

// The Helm chart (deploy/helm/fundflow), rendered by a real helm (built by scripts/setup.sh like the Temporal CLI) and
// checked offline, with no cluster: every object against the Kubernetes schemas of `kubernetes-models` (generated
// from Kubernetes' OpenAPI spec: types, enums, required fields) and the ServiceMonitor against the Prometheus Operator
// CRD's schema in `@kubernetes-models/prometheus-operator`; unknown fields (a misspelt `readinessProbes`) by
// TypeScript's excess-property check against the same packages' types. Then what the chart must mean: probes on the
// ports the configuration listens on, secrets only by reference, a migration hook, autoscaling and disruption budgets.

const chart = path.join(repoRoot, 'deploy/helm/fundflow');
const kubeVersion = '1.31.0'; // a `go install`ed helm reports 1.20 by default, below the chart's kubeVersion
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
}

async function render(args: string[]): Promise<K8sObject[]> {
  const helm = await ensureHelm();
  const { stdout } = await promisify(execFile)(helm, ['template', 'ff', chart, '--kube-version', kubeVersion, ...args], {
    maxBuffer: 16 << 20,
  });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean);
}

/** Module and interface of the model of each kind the chart renders. */
const models: Record<string, [module: string, type: string]> = {
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'batch/v1/Job': ['kubernetes-models/batch/v1/Job', 'IJob'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'IHorizontalPodAutoscaler'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'],
  'monitoring.coreos.com/v1/ServiceMonitor': [
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    'IServiceMonitor',
  ],
};
const modelOf = (o: K8sObject) => models[`${o.apiVersion}/${o.kind}`];

/** Schema errors of each object, by `Kind/name`. */
async function schemaErrors(objects: K8sObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const object of objects) {
    const model = modelOf(object);
    if (!model) {
      errors.push(`${object.kind}/${object.metadata.name}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    const Model = (await import(model[0]))[object.kind] as new (data: unknown) => { validate(): void };
    try {
      new Model(object).validate();
    } catch (error) {
      errors.push(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
    }
  }
  return errors;
}

/** Fields the schemas do not know, found by type-checking each object as a literal of its model's type. */
function unknownFieldErrors(objects: K8sObject[]): string[] {
  const dir = path.join(toolsBin, '..', 'k8s-check'); // under the repo, so `kubernetes-models` resolves
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `rendered-${process.pid}.ts`);
  const used = [...new Set(objects.map((o) => modelOf(o)).filter((m) => m !== undefined))];
  const source = [
    ...used.map(([module, type]) => `import type { ${type} } from '${module}';`),
    ...objects.map((o, i) => `export const o${i}: ${modelOf(o)![1]} = ${JSON.stringify(o, null, 1)};`),
  ].join('\n');
  writeFileSync(file, source);
  try {
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (line ${line}: ${source.split('\n')[line - 1]?.trim()})`;
    });
  } finally {
    rmSync(file, { force: true });
  }
}

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, suffix: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name.endsWith(suffix));
  if (!found) throw new Error(`no ${kind} named *${suffix}`);
  return found;
};
const podSpecOf = (o: K8sObject): any => o.spec.template.spec;
const containersOf = (o: K8sObject): any[] => podSpecOf(o).containers;

const productionValues = path.join(chart, 'ci/production-values.yaml');
let defaults: K8sObject[];
let production: K8sObject[];

beforeAll(async () => {
  [defaults, production] = await Promise.all([render(['--set', 'existingSecret=fundflow-env']), render(['-f', productionValues])]);
}, 600_000);

describe('the Helm chart', () => {
  it('renders the API, the worker, the codec server, the migration job, autoscalers, budgets and ServiceMonitors', () => {
    const kinds = (objects: K8sObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds(production)).toEqual([
      'Deployment/ff-fundflow-api',
      'Deployment/ff-fundflow-codec-server',
      'Deployment/ff-fundflow-worker',
      'HorizontalPodAutoscaler/ff-fundflow-api',
      'HorizontalPodAutoscaler/ff-fundflow-worker',
      'Job/ff-fundflow-migrate',
      'Job/ff-fundflow-search-attributes',
      'PodDisruptionBudget/ff-fundflow-api',
      'PodDisruptionBudget/ff-fundflow-worker',
      'Service/ff-fundflow-api',
      'Service/ff-fundflow-api-internal',
      'Service/ff-fundflow-codec-server',
      'Service/ff-fundflow-worker-metrics',
      'ServiceAccount/ff-fundflow',
      'ServiceMonitor/ff-fundflow-api',
      'ServiceMonitor/ff-fundflow-worker',
    ]);
    expect(byKind(defaults, 'ServiceMonitor')).toEqual([]); // needs the Prometheus Operator's CRDs: opt in
  });

  it('validates every object against the Kubernetes and Prometheus Operator schemas', async () => {
    expect(await schemaErrors(defaults)).toEqual([]);
    expect(await schemaErrors(production)).toEqual([]);
  });

  it('uses no field the schemas do not know', () => {
    expect(unknownFieldErrors([...defaults, ...production])).toEqual([]);
  }, 120_000);

  it('would catch a misspelt or mistyped field (the checks themselves work)', async () => {
    const api = structuredClone(named(production, 'Deployment', '-api'));
    containersOf(api)[0].readinessProbes = containersOf(api)[0].readinessProbe;
    expect(unknownFieldErrors([api]).join('\n')).toMatch(/readinessProbes/);
    const worker = structuredClone(named(production, 'Deployment', '-worker'));
    containersOf(worker)[0].ports[0].containerPort = 'health';
    expect((await schemaErrors([worker])).join('\n')).toMatch(/containerPort must be integer/);
  });

  it('refuses to render without the name of the Secret that holds the secret variables', async () => {
    await expect(render([])).rejects.toThrow(/existingSecret: name the Secret/);
  });

  it('holds no secret value: no Secret object, secret variables only through the existing Secret', () => {
    const secretish = /PASSWORD|SECRET|_KEY$|_KEYS$|_KEY_DATA$|DATABASE_URL|API_KEY|ENTITY/;
    for (const objects of [defaults, production]) {
      expect(byKind(objects, 'Secret')).toEqual([]);
      for (const workload of [...byKind(objects, 'Deployment'), ...byKind(objects, 'Job')]) {
        for (const container of containersOf(workload)) {
          for (const { name, value, valueFrom } of container.env ?? []) {
            if (secretish.test(name))
              expect({ name, value, ref: valueFrom?.secretKeyRef?.name }, workload.metadata.name).toEqual({
                name,
                value: undefined,
                ref: 'fundflow-env',
              });
          }
          if (container.envFrom) expect(container.envFrom, workload.metadata.name).toEqual([{ secretRef: { name: 'fundflow-env' } }]);
        }
      }
    }
    expect(readFileSync(path.join(chart, 'values.yaml'), 'utf8')).not.toMatch(/(PASSWORD|SECRET|API_KEY|DATABASE_URL)[A-Z_]*:\s*\S/);
  });

  it('probes the API and the worker on the ports their configuration listens on, on every interface', () => {
    const defaultsOfConfig = loadConfig({});
    const api = containersOf(named(production, 'Deployment', '-api'))[0];
    const worker = containersOf(named(production, 'Deployment', '-worker'))[0];
    const codec = containersOf(named(production, 'Deployment', '-codec-server'))[0];
    const portOf = (container: { ports: { name: string; containerPort: number }[] }, name: string) =>
      container.ports.find((p) => p.name === name)?.containerPort;
    const env = (container: { env: { name: string; value?: string }[] }) => Object.fromEntries(container.env.map((e) => [e.name, e.value]));

    expect(portOf(api, 'http')).toBe(defaultsOfConfig.HTTP_PORT);
    expect(portOf(api, 'internal')).toBe(defaultsOfConfig.API_INTERNAL_PORT);
    expect(api.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(api.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(portOf(worker, 'health')).toBe(defaultsOfConfig.WORKER_HTTP_PORT);
    expect(portOf(worker, 'sdk-metrics')).toBe(defaultsOfConfig.WORKER_SDK_METRICS_PORT);
    expect(worker.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(worker.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(worker.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(portOf(codec, 'http')).toBe(defaultsOfConfig.CODEC_SERVER_PORT);
    expect(codec.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    for (const container of [api, worker, codec]) {
      expect(env(container).HTTP_HOST).toBe('0.0.0.0');
      expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources.limits.memory).toEqual(expect.any(String));
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    }
    // The worker drains for 30 s (workerTuning's shutdownGraceTime) before the pod may be killed.
    expect(podSpecOf(named(production, 'Deployment', '-worker')).terminationGracePeriodSeconds).toBeGreaterThan(30);
  });

  it('gives every app container an environment that production accepts, reaching Temporal over mutual TLS in its namespace', () => {
    const known = Object.keys(configSchema.shape);
    for (const workload of [...byKind(production, 'Deployment'), named(production, 'Job', '-migrate')]) {
      const container = containersOf(workload)[0];
      const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
      expect(
        Object.keys(env).filter((k) => !known.includes(k) && k !== 'npm_config_cache'),
        workload.metadata.name,
      ).toEqual([]);
      // What the existing Secret supplies in a real install.
      const fromSecret = { ...realProviderEnv, DATABASE_URL: `postgresql://fundflow:${strongPassword}@db.internal:5432/fundflow` };
      const config = loadConfig({ ...fromSecret, ...env });
      expect(config.NODE_ENV).toBe('production');
      expect(config.TEMPORAL_NAMESPACE).toBe('fundflow-prod');
      const mounted = (file: string) =>
        file.endsWith('.key')
          ? '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n'
          : '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n';
      const options = temporalConnectionOptions(config, mounted);
      expect(options.tls?.clientCertPair).toBeDefined();
      expect(options.tls?.serverRootCACertificate).toBeDefined();
      expect(options.tls?.serverNameOverride).toBe('temporal-frontend.temporal.svc');
      const mountPath = container.volumeMounts.find((m: { name: string }) => m.name === 'temporal-tls')?.mountPath;
      expect(path.dirname(config.TEMPORAL_TLS_CLIENT_CERT_PATH!)).toBe(mountPath);
      expect(podSpecOf(workload).volumes).toContainEqual({
        name: 'temporal-tls',
        secret: { secretName: 'fundflow-temporal-mtls', defaultMode: 0o440 },
      });
    }
  });

  it('runs the migration as a Job hooked before every install and upgrade, with the same image and commands as compose', () => {
    const job = named(production, 'Job', '-migrate');
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(podSpecOf(job).restartPolicy).toBe('Never');
    const scripts = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { command?: string[] }>;
    };
    const pairs: [string, string][] = [
      ['-migrate', 'migrate'],
      ['-api', 'api'],
      ['-worker', 'worker'],
      ['-codec-server', 'codec-server'],
    ];
    for (const [suffix, service] of pairs) {
      const workload = suffix === '-migrate' ? job : named(production, 'Deployment', suffix);
      const command = containersOf(workload)[0].command as string[];
      // `npm run <script>`, or the very line of a package.json script (`node dist/...` of the start scripts).
      const defined = command[0] === 'npm' ? scripts[command[2]!] !== undefined : Object.values(scripts).includes(command.join(' '));
      expect(defined, `${suffix}: ${command.join(' ')} is one of package.json's scripts`).toBe(true);
      if (compose.services[service]?.command)
        expect(command, `${suffix} runs what compose's ${service} runs`).toEqual(compose.services[service]!.command);
      expect(containersOf(workload)[0].image).toBe('ghcr.io/fundflow/fundflow:0.1.0');
    }
  });

  it('registers the same search attributes as the dev server when asked (self-hosted clusters)', () => {
    const job = named(production, 'Job', '-search-attributes');
    const script = JSON.stringify(containersOf(job)[0].args);
    for (const flag of searchAttributeFlags) expect(script).toContain(flag);
    expect(containersOf(job)[0].image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+$/);
  });

  it('autoscales the API and the worker and keeps one of each through voluntary disruptions', () => {
    for (const objects of [defaults, production]) {
      for (const name of ['api', 'worker']) {
        const deployment = named(objects, 'Deployment', `-${name}`);
        const hpa = named(objects, 'HorizontalPodAutoscaler', `-${name}`);
        expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
        expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
        expect(deployment.spec.replicas).toBeUndefined(); // the autoscaler owns it
        const pdb = named(objects, 'PodDisruptionBudget', `-${name}`);
        expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
        expect(deployment.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
        expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
      }
    }
  });

  it("scrapes the API's /metrics on its internal port and the worker's /metrics and SDK metrics through Services that exist", () => {
    for (const [monitorSuffix, ports] of [
      ['-api', ['internal']],
      ['-worker', ['health', 'sdk-metrics']],
    ] as const) {
      const monitor = named(production, 'ServiceMonitor', monitorSuffix);
      expect(monitor.metadata.labels?.release).toBe('prometheus');
      const services = byKind(production, 'Service').filter((s) =>
        Object.entries(monitor.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => s.metadata.labels?.[k] === v),
      );
      expect(services).toHaveLength(1);
      expect(monitor.spec.endpoints.map((e: { port: string; path: string }) => [e.port, e.path])).toEqual(
        ports.map((p) => [p, '/metrics']),
      );
      for (const port of ports) expect(services[0]!.spec.ports.map((p: { name: string }) => p.name)).toContain(port);
      // The Service's pods are the Deployment's.
      const deployment = named(production, 'Deployment', monitorSuffix);
      expect(deployment.spec.template.metadata.labels).toMatchObject(services[0]!.spec.selector);
    }
    // The public Service of the API never carries the metrics port.
    expect(named(production, 'Service', '-api').spec.ports.map((p: { name: string }) => p.name)).toEqual(['http']);
  });
});
