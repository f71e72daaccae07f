import { createRequire } from 'node:module';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { PrismaInstrumentation, registerInstrumentations } from '@prisma/instrumentation';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { RequestHandler } from 'express';
import type { Config } from './config.js';
import type { Providers } from './providers/ports.js';

// OpenTelemetry traces of one piece of work across every process it crosses: the API request, the Temporal client
// call that starts or updates the saga, the workflow run and each activity (Temporal's interceptors carry the trace
// in the headers of every command), each call to a provider's port, each Prisma query and each statement sent on the
// pool past Prisma (src/db/raw.ts). Exported over OTLP/HTTP
// when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise no tracer provider is registered, every span below is the
// API's no-op, and workers run their workflows without OpenTelemetry's interceptors.

const tracerName = 'fundflow';

/** Starts tracing for one process: a registered provider exporting to `processor`, or nothing when unset. */
export function startTracing(
  config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT'>,
  serviceName: string,
  processor: SpanProcessor | undefined = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? new BatchSpanProcessor(new OTLPTraceExporter({ url: new URL('v1/traces', withSlash(config.OTEL_EXPORTER_OTLP_ENDPOINT)).toString() }))
    : undefined,
): Tracing {
  const resource = resourceOf(serviceName);
  if (!processor) return { resource, shutdown: async () => {} };
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new PrismaInstrumentation()] });
  return { resource, processor, shutdown: () => provider.shutdown() };
}

export interface Tracing {
  resource: Resource;
  /** Where spans go; absent when tracing is off. */
  processor?: SpanProcessor;
  shutdown: () => Promise<void>;
}

function resourceOf(serviceName: string): Resource {
  return new Resource({ 'service.name': serviceName });
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The Temporal client's interceptors: starting, updating or signalling a workflow carries the caller's trace. */
export const tracingClientInterceptors: ClientInterceptors = { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };

/** OpenTelemetry's workflow interceptors (workflow and activity spans, the trace in each command's headers). */
export const tracingWorkflowModule = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

/**
 * A worker's side: whether its workflow code carries OpenTelemetry's interceptors (src/workflow-code.ts), activity
 * spans as children of the workflow's, and the sink through which the workflow sandbox hands its spans out. All of
 * it only when the process exports spans: made only to be dropped, they cost more than the workflows' own code.
 */
export function tracingWorkerOptions(tracing: Tracing | undefined): {
  traced: boolean;
  sinks: NonNullable<WorkerOptions['sinks']>;
  activityInterceptors: NonNullable<NonNullable<WorkerOptions['interceptors']>['activity']>;
} {
  if (!tracing?.processor) return { traced: false, sinks: {}, activityInterceptors: [] };
  return {
    traced: true,
    sinks: { exporter: makeWorkflowExporter(tracing.processor, tracing.resource) },
    activityInterceptors: [
      (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
    ],
  };
}

/**
 * One SERVER span per API request, active while it is handled, named by its route once matched. Its trace id is
 * the request's id in the logs (src/api/context.ts reads it through `traceIdOf`).
 */
export function tracingMiddleware(): RequestHandler {
  const tracer = trace.getTracer(tracerName);
  return (req, res, next) => {
    // A caller that traces (traceparent) gets its trace continued; otherwise the request starts one.
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      `${req.method} ${req.path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
      parent,
    );
    res.on('finish', () => {
      const route = req.route?.path as string | undefined;
      if (route) span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** The active span's trace id, when a tracer provider records it (not the API's all-zero no-op id). */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** Every method of every provider port wrapped in a CLIENT span `<port>.<method>`, failures recorded. */
export function tracedProviders(providers: Providers): Providers {
  const tracer = trace.getTracer(tracerName);
  const traced = {} as Record<string, unknown>;
  for (const [port, adapter] of Object.entries(providers) as [string, Record<string, unknown>][]) {
    const methods: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(adapter)) {
      methods[name] =
        typeof member === 'function'
          ? (...args: unknown[]) =>
              tracer.startActiveSpan(`${port}.${name}`, { kind: SpanKind.CLIENT, attributes: { 'fundflow.provider.port': port } }, (span) =>
                settle(span, () => (member as (...a: unknown[]) => unknown).apply(adapter, args)),
              )
          : member;
    }
    traced[port] = methods;
  }
  return traced as unknown as Providers;
}

/** A statement sent on the pool past Prisma's client, in a CLIENT span `pg:query` (Prisma's queries have their own). */
export function tracedStatement<T>(text: string, run: () => Promise<T>): Promise<T> {
  const attributes = { 'db.system.name': 'postgresql', 'db.query.text': text };
  return trace
    .getTracer(tracerName)
    .startActiveSpan('pg:query', { kind: SpanKind.CLIENT, attributes }, (span) => settle(span, run) as Promise<T>);
}

function settle(span: Span, run: () => unknown): unknown {
  const fail = (error: unknown) => {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    throw error;
  };
  try {
    const result = run();
    if (result instanceof Promise) {
      return result.then((value: unknown) => {
        span.end();
        return value;
      }, fail);
    }
    span.end();
    return result;
  } catch (error) {
    return fail(error);
  }
}
