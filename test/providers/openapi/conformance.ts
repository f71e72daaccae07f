import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// Checks an HTTP answer against the response a provider's OpenAPI description (the subsets beside this file)
// documents for the operation: the status must be one it lists (or `default`), and the JSON body must match that
// response's schema. OpenAPI 3.0 schemas are not JSON Schema: `nullable`, `$ref` into components and the
// example / vendor keywords are translated here before ajv compiles them.

type Schema = Record<string, unknown>;
type Method = 'get' | 'post' | 'delete';

export type ProviderDescription = 'circle-mint' | 'alpaca-trading' | 'alpaca-broker';

export interface Answer {
  status: number;
  body: unknown;
}

/** A deviation from the description that is known, justified, and accepted (see the test for each reason). */
export interface Exception {
  description: ProviderDescription;
  method: Method;
  path: string;
  status?: number;
  /** Only schema errors at this JSON pointer (a prefix, or a pattern) are accepted; without it, the whole body is. */
  instancePath?: string | RegExp;
  /** A state the provider passes through for a moment: accepted when an answer shows it, never required to be seen. */
  transient?: true;
  reason: string;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const here = path.dirname(fileURLToPath(import.meta.url));

export class Conformance {
  private readonly specs = new Map<ProviderDescription, Schema>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv: Ajv;
  /** `description METHOD path` of every operation a check went through. */
  readonly exercised = new Set<string>();
  private readonly usedExceptions = new Set<Exception>();

  constructor(private readonly exceptions: Exception[] = []) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    // Formats the descriptions use that JSON Schema does not define: annotations only.
    for (const format of ['decimal', 'decimal128', 'number']) this.ajv.addFormat(format, true);
  }

  spec(description: ProviderDescription): Schema {
    let spec = this.specs.get(description);
    if (!spec) {
      spec = JSON.parse(readFileSync(path.join(here, `${description}.json`), 'utf8')) as Schema;
      this.specs.set(description, spec);
    }
    return spec;
  }

  /** Every operation the subset holds, as `description METHOD path`. */
  operations(description: ProviderDescription): string[] {
    const paths = this.spec(description).paths as Record<string, Record<string, unknown>>;
    return Object.entries(paths).flatMap(([route, item]) =>
      Object.keys(item)
        .filter((key) => key !== 'parameters')
        .map((method) => `${description} ${method.toUpperCase()} ${route}`),
    );
  }

  /** The problems of `answer` for the operation: an empty list when it conforms (accepted exceptions removed). */
  problems(description: ProviderDescription, method: Method, route: string, answer: Answer): string[] {
    this.exercised.add(`${description} ${method.toUpperCase()} ${route}`);
    const accepted = this.exceptions.filter(
      (e) =>
        e.description === description && e.method === method && e.path === route && (e.status === undefined || e.status === answer.status),
    );
    return this.rawProblems(description, method, route, answer)
      .filter(({ instancePath }) => {
        const exception = accepted.find(
          (e) =>
            e.instancePath === undefined ||
            (instancePath !== undefined &&
              (typeof e.instancePath === 'string' ? instancePath.startsWith(e.instancePath) : e.instancePath.test(instancePath))),
        );
        if (exception) this.usedExceptions.add(exception);
        return !exception;
      })
      .map(({ problem }) => problem);
  }

  /** Exceptions that accepted nothing in the checks so far: stale, or their case is no longer driven. */
  unusedExceptions(): Exception[] {
    return this.exceptions.filter((e) => !e.transient && !this.usedExceptions.has(e));
  }

  private rawProblems(
    description: ProviderDescription,
    method: Method,
    route: string,
    answer: Answer,
  ): Array<{ problem: string; instancePath?: string }> {
    const spec = this.spec(description);
    const operation = (spec.paths as Record<string, Record<string, Schema>>)[route]?.[method];
    if (!operation) return [{ problem: `${method.toUpperCase()} ${route} is not in the ${description} description` }];
    const responses = operation.responses as Record<string, Schema>;
    const documented = responses[String(answer.status)] ?? responses[`${String(answer.status)[0]}XX`] ?? responses.default;
    if (!documented) return [{ problem: `status ${answer.status} is not documented (documented: ${Object.keys(responses).join(', ')})` }];
    const media = (resolve(spec, documented).content as Record<string, Schema> | undefined)?.['application/json'];
    // A response that documents no JSON content says nothing about its body (a 204 has none on the wire).
    if (!media?.schema) return [];
    const validate = this.validator(description, `${method} ${route} ${answer.status}`, media.schema as Schema);
    if (validate(answer.body)) return [];
    return (validate.errors ?? []).map((error) => ({ problem: describe(error), instancePath: error.instancePath }));
  }

  private validator(description: ProviderDescription, key: string, schema: Schema): ValidateFunction {
    const id = `${description} ${key}`;
    let validate = this.validators.get(id);
    if (!validate) {
      const components = (this.spec(description).components ?? {}) as { schemas?: Record<string, unknown> };
      validate = this.ajv.compile({
        ...(toJsonSchema(schema) as Schema),
        // The component schemas ride along so that `#/components/schemas/X` resolves inside this document.
        components: { schemas: mapOfSchemas(components.schemas ?? {}) },
      });
      this.validators.set(id, validate);
    }
    return validate;
  }
}

function resolve(spec: Schema, value: Schema): Schema {
  const ref = value.$ref;
  if (typeof ref !== 'string') return value;
  const target = ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec);
  if (!target) throw new Error(`unresolved ${ref}`);
  return resolve(spec, target as Schema);
}

const annotationOnly = new Set(['example', 'examples', 'xml', 'externalDocs', 'discriminator', 'deprecated']);
const schemaMaps = new Set(['properties', 'patternProperties', 'definitions']);
const schemaLists = new Set(['allOf', 'anyOf', 'oneOf']);
const schemaValued = new Set(['items', 'additionalProperties', 'not']);

/** OpenAPI 3.0 schema object → JSON Schema (draft-07, as ajv reads it). */
export function toJsonSchema(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: Schema = {};
  for (const [key, v] of Object.entries(schema)) {
    if (annotationOnly.has(key) || key.startsWith('x-') || key === 'nullable') continue;
    if (schemaMaps.has(key)) out[key] = mapOfSchemas(v);
    else if (schemaLists.has(key) && Array.isArray(v)) out[key] = v.map(toJsonSchema);
    else if (schemaValued.has(key)) out[key] = toJsonSchema(v);
    else out[key] = v;
  }
  if ((schema as Schema).nullable !== true) return out;
  // nullable: the value may also be null. With a `type` that is one more type (and one more enum value);
  // otherwise ($ref, allOf, oneOf) the schema becomes "this or null".
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

/** A map of name → schema (`properties`, `components.schemas`): each value translated, each name kept. */
function mapOfSchemas(map: unknown): unknown {
  if (!map || typeof map !== 'object') return map;
  return Object.fromEntries(Object.entries(map).map(([name, schema]) => [name, toJsonSchema(schema)]));
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '(body)';
  const extra =
    error.keyword === 'enum'
      ? ` ${JSON.stringify(error.params.allowedValues)}`
      : error.keyword === 'additionalProperties'
        ? ` (${String(error.params.additionalProperty)})`
        : '';
  return `${where} ${error.message ?? error.keyword}${extra}`;
}
