// How fundflow reaches Temporal beyond an address: TLS, mutual TLS, an API key, the namespace. The variable names are
// Temporal's own (its CLI and SDK environment configuration read the same ones), so an operator's `temporal` command
// in the same environment reaches the same cluster. src/temporal.ts builds the connection options from them; the
// rules below are the combinations the schema refuses, each naming the variable to fix.

export const temporalTlsMaterials = {
  TEMPORAL_TLS_SERVER_CA_CERT: 'certificate',
  TEMPORAL_TLS_CLIENT_CERT: 'certificate',
  TEMPORAL_TLS_CLIENT_KEY: 'private key',
} as const;
export type TemporalTlsMaterial = keyof typeof temporalTlsMaterials;

export interface TemporalConnectionEnv {
  TEMPORAL_API_KEY?: string;
  TEMPORAL_TLS?: boolean;
  TEMPORAL_TLS_SERVER_CA_CERT_PATH?: string;
  TEMPORAL_TLS_SERVER_CA_CERT_DATA?: string;
  TEMPORAL_TLS_CLIENT_CERT_PATH?: string;
  TEMPORAL_TLS_CLIENT_CERT_DATA?: string;
  TEMPORAL_TLS_CLIENT_KEY_PATH?: string;
  TEMPORAL_TLS_CLIENT_KEY_DATA?: string;
  TEMPORAL_TLS_SERVER_NAME?: string;
}

/** A PEM value as an environment carries it: real newlines, or `\n` escapes (a one-line .env entry). */
export function pemOf(value: string): string {
  return value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : value;
}

/** Why `pem` is not a PEM block of that kind, or undefined. */
export function pemProblem(pem: string, kind: 'certificate' | 'private key'): string | undefined {
  const pattern = kind === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  return pattern.test(pem)
    ? undefined
    : `is not a PEM ${kind} (-----BEGIN ${kind === 'certificate' ? 'CERTIFICATE' : '… PRIVATE KEY'}-----)`;
}

const setOf = (env: TemporalConnectionEnv, material: TemporalTlsMaterial) =>
  env[`${material}_PATH`] !== undefined || env[`${material}_DATA`] !== undefined;

/** Whether the connection uses TLS: TEMPORAL_TLS, else on as soon as an API key or any TLS setting is given. */
export function temporalTlsEnabled(env: TemporalConnectionEnv): boolean {
  return env.TEMPORAL_TLS ?? (env.TEMPORAL_API_KEY !== undefined || temporalTlsSettings(env).length > 0);
}

function temporalTlsSettings(env: TemporalConnectionEnv): string[] {
  const names = Object.keys(temporalTlsMaterials)
    .flatMap((m) => [`${m}_PATH`, `${m}_DATA`])
    .concat('TEMPORAL_TLS_SERVER_NAME');
  return names.filter((name) => env[name as keyof TemporalConnectionEnv] !== undefined);
}

/** Every combination of the Temporal connection variables that cannot work, as `[variable, what is wrong]`. */
export function temporalConnectionIssues(env: TemporalConnectionEnv): [string, string][] {
  const issues: [string, string][] = [];
  for (const [material, kind] of Object.entries(temporalTlsMaterials) as [TemporalTlsMaterial, 'certificate' | 'private key'][]) {
    if (env[`${material}_PATH`] !== undefined && env[`${material}_DATA`] !== undefined) {
      issues.push([`${material}_DATA`, `set ${material}_PATH (a file) or ${material}_DATA (the PEM), not both`]);
    }
    const data = env[`${material}_DATA`];
    const problem = data === undefined ? undefined : pemProblem(pemOf(data), kind);
    if (problem) issues.push([`${material}_DATA`, problem]);
  }
  const cert = setOf(env, 'TEMPORAL_TLS_CLIENT_CERT');
  const key = setOf(env, 'TEMPORAL_TLS_CLIENT_KEY');
  if (cert && !key)
    issues.push([
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'or TEMPORAL_TLS_CLIENT_KEY_DATA is required with a client certificate (mTLS needs the certificate and its key)',
    ]);
  if (key && !cert)
    issues.push([
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'or TEMPORAL_TLS_CLIENT_CERT_DATA is required with a client key (mTLS needs the certificate and its key)',
    ]);

  if (env.TEMPORAL_TLS === false) {
    const needsTls = [...(env.TEMPORAL_API_KEY !== undefined ? ['TEMPORAL_API_KEY'] : []), ...temporalTlsSettings(env)];
    if (needsTls.length > 0)
      issues.push([
        'TEMPORAL_TLS',
        `is false but ${needsTls.join(', ')} ${needsTls.length > 1 ? 'are' : 'is'} set: an API key or a certificate goes over TLS only (unset TEMPORAL_TLS)`,
      ]);
  }
  return issues;
}
