import { timingSafeEqual, createHash } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError, type ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Router, type Request } from 'express';
import { type Logger } from 'pino';
import { allSearchAttributeKeys } from '../workflows/search-attributes';
import { type ApiMetrics } from './metrics';
import { Problem, sendProblem } from './problems';
import { type HealthResponse, type ReadyResponse } from './responses';

/** Why the API is not ready; stable, for alerts and runbooks. */
export type ReadinessCode =
  /** No answer from the Temporal frontend in time (down, unreachable, TLS handshake refused, …). */
  | 'TEMPORAL_UNREACHABLE'
  /** The frontend answered but refused our credentials (API key, client certificate). */
  | 'TEMPORAL_UNAUTHORIZED'
  /** The configured namespace does not exist (or is being deleted). */
  | 'NAMESPACE_MISSING'
  /** Some of the engine's search attributes are not registered in the namespace. */
  | 'SEARCH_ATTRIBUTES_MISSING'
  /** A search attribute is registered under the engine's name with another type. */
  | 'SEARCH_ATTRIBUTES_CONFLICT';

export interface CheckOutcome {
  status: 'ok' | 'failed' | 'skipped';
  code?: ReadinessCode;
  detail?: string;
  [key: string]: unknown;
}

export interface Readiness {
  ready: boolean;
  /** In order: each later check runs only when the earlier ones passed. */
  checks: { temporal: CheckOutcome; namespace: CheckOutcome; searchAttributes: CheckOutcome };
  checkedAt: string;
  durationMs: number;
}

export interface ReadinessCheckOptions {
  connection: ConnectionLike;
  namespace: string;
  /** Bound on one whole check (all its calls). Default 2000 ms. */
  timeoutMs?: number;
  /** A result is reused this long, so probes and scrapes never hammer the server. Default 1000 ms. */
  cacheMs?: number;
  logger?: Logger;
  metrics?: Pick<ApiMetrics, 'recordReadiness'>;
}

export interface ReadinessCheck {
  /** The last result if fresh, the check under way if one is, or a new check. Never rejects. */
  check(): Promise<Readiness>;
}

const { IndexedValueType, NamespaceState } = temporal.api.enums.v1;
const grpcCodeName = GrpcStatus as unknown as Record<number, string>;

function grpcErrorOf(error: unknown) {
  if (isGrpcServiceError(error)) return error;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause;
  return undefined;
}

/** A failed call as a check outcome: credentials refused, or no (timely) answer at all. */
function unreachable(error: unknown, timeoutMs: number): CheckOutcome {
  const grpc = grpcErrorOf(error);
  if (grpc && (grpc.code === GrpcStatus.UNAUTHENTICATED || grpc.code === GrpcStatus.PERMISSION_DENIED)) {
    return {
      status: 'failed',
      code: 'TEMPORAL_UNAUTHORIZED',
      detail: `the Temporal frontend refused the credentials (${grpcCodeName[grpc.code]})`,
    };
  }
  const detail = !grpc
    ? 'the Temporal frontend could not be called'
    : grpc.code === GrpcStatus.DEADLINE_EXCEEDED
      ? `no answer from the Temporal frontend within ${timeoutMs} ms`
      : `the Temporal frontend did not answer (${grpcCodeName[grpc.code] ?? grpc.code})`;
  return { status: 'failed', code: 'TEMPORAL_UNREACHABLE', detail };
}

/**
 * Ready means: the Temporal frontend answers, the namespace exists, and every search attribute of
 * `workflows/search-attributes.ts` is registered there with its type (the workflow upserts them on its
 * first task, and the list endpoint queries them). Calls go through the API's own connection, so a
 * successful check also proves that connection has reconnected after an outage.
 */
export function createReadinessCheck(options: ReadinessCheckOptions): ReadinessCheck {
  const { connection, namespace, logger, metrics } = options;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const cacheMs = options.cacheMs ?? 1_000;
  let last: { readiness: Readiness; at: number } | undefined;
  let running: Promise<Readiness> | undefined;
  let wasReady: boolean | undefined;

  const run = async (): Promise<Readiness> => {
    const started = Date.now();
    const deadline = started + timeoutMs;
    const skipped: CheckOutcome = { status: 'skipped' };
    const checks: Readiness['checks'] = { temporal: skipped, namespace: skipped, searchAttributes: skipped };
    const call = <T>(fn: () => Promise<T>) => connection.withDeadline(deadline, fn);

    try {
      const info = await call(() => connection.workflowService.getSystemInfo({}));
      checks.temporal = { status: 'ok', ...(info.serverVersion ? { serverVersion: info.serverVersion } : {}) };
    } catch (error) {
      checks.temporal = unreachable(error, timeoutMs);
    }

    if (checks.temporal.status === 'ok') {
      try {
        const described = await call(() => connection.workflowService.describeNamespace({ namespace }));
        checks.namespace =
          described.namespaceInfo?.state === NamespaceState.NAMESPACE_STATE_DELETED
            ? { status: 'failed', code: 'NAMESPACE_MISSING', detail: `namespace "${namespace}" is being deleted` }
            : { status: 'ok', name: namespace };
      } catch (error) {
        checks.namespace =
          grpcErrorOf(error)?.code === GrpcStatus.NOT_FOUND
            ? { status: 'failed', code: 'NAMESPACE_MISSING', detail: `namespace "${namespace}" does not exist` }
            : unreachable(error, timeoutMs);
      }
    }

    if (checks.namespace.status === 'ok') {
      try {
        const { customAttributes = {} } = await call(() =>
          connection.operatorService.listSearchAttributes({ namespace }),
        );
        const missing: string[] = [];
        const conflicting: string[] = [];
        for (const key of allSearchAttributeKeys) {
          const have = customAttributes[key.name];
          if (have === undefined) missing.push(key.name);
          else if (have !== IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`])
            conflicting.push(`${key.name} (${IndexedValueType[have]}, needs ${key.type})`);
        }
        checks.searchAttributes =
          missing.length > 0
            ? {
                status: 'failed',
                code: 'SEARCH_ATTRIBUTES_MISSING',
                detail: `not registered in namespace "${namespace}": ${missing.join(', ')} (run npm run register-search-attributes)`,
                missing,
              }
            : conflicting.length > 0
              ? {
                  status: 'failed',
                  code: 'SEARCH_ATTRIBUTES_CONFLICT',
                  detail: `registered with another type: ${conflicting.join(', ')}`,
                  conflicting,
                }
              : { status: 'ok', count: allSearchAttributeKeys.length };
      } catch (error) {
        checks.searchAttributes = unreachable(error, timeoutMs);
      }
    }

    const ready = Object.values(checks).every((c) => c.status === 'ok');
    const readiness: Readiness = {
      ready,
      checks,
      checkedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    };
    metrics?.recordReadiness(ready, {
      temporal: checks.temporal.status === 'ok',
      namespace: checks.namespace.status === 'ok',
      searchAttributes: checks.searchAttributes.status === 'ok',
    });
    // Transitions only: a steady state logs nothing however often it is probed.
    if (ready !== wasReady) {
      if (ready) logger?.info({ readiness: checks }, 'ready: Temporal, namespace and search attributes answer');
      else logger?.warn({ readiness: checks, codes: failedCodes(readiness) }, 'not ready');
      wasReady = ready;
    }
    return readiness;
  };

  return {
    check() {
      if (last && Date.now() - last.at < cacheMs) return Promise.resolve(last.readiness);
      running ??= run()
        .then((readiness) => {
          last = { readiness, at: Date.now() };
          return readiness;
        })
        .finally(() => {
          running = undefined;
        });
      return running;
    },
  };
}

export function failedCodes(readiness: Readiness): ReadinessCode[] {
  return Object.values(readiness.checks).flatMap((c) => (c.code ? [c.code] : []));
}

export interface OpsRouterDeps {
  readiness: ReadinessCheck;
  metrics: ApiMetrics;
  /** When set, `/metrics` needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `/healthz` (the process is up: liveness), `/readyz` (it can serve: readiness) and `/metrics`
 * (Prometheus). Mounted before authentication and rate limiting: probes and scrapers hold no JWT.
 */
export function opsRouter(deps: OpsRouterDeps): Router {
  const router = Router();
  const noStore = { 'Cache-Control': 'no-store' };

  // Liveness says nothing about Temporal: restarting the API would not bring Temporal back.
  router.get('/healthz', (_req, res) => void res.set(noStore).json({ status: 'ok' } satisfies HealthResponse));

  router.get('/readyz', async (req, res) => {
    const readiness = await deps.readiness.check();
    res.set(noStore);
    if (readiness.ready) {
      res.json({ status: 'ready', checks: readiness.checks, checkedAt: readiness.checkedAt } satisfies ReadyResponse);
      return;
    }
    const codes = failedCodes(readiness);
    const first = Object.values(readiness.checks).find((c) => c.status === 'failed');
    sendProblem(
      res,
      new Problem(503, codes[0] ?? 'NOT_READY', first?.detail ?? 'not ready', {
        failed: codes,
        checks: readiness.checks,
        checkedAt: readiness.checkedAt,
        retryAfterSeconds: 5,
      }),
      req.originalUrl,
    );
  });

  const expected = deps.metricsToken ? digest(deps.metricsToken) : undefined;
  const authorized = (req: Request) => {
    if (!expected) return true;
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    // Equal-length digests: the comparison takes the same time whatever was sent.
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };

  router.get('/metrics', async (req, res) => {
    if (!authorized(req)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      sendProblem(
        res,
        new Problem(401, 'METRICS_TOKEN_REQUIRED', 'send the metrics token as a bearer token'),
        '/metrics',
      );
      return;
    }
    // Keeps the readiness gauges current even where nothing probes /readyz (cached, bounded).
    await deps.readiness.check();
    const { contentType, body } = await deps.metrics.render();
    res.set(noStore).type(contentType).send(body);
  });

  return router;
}
