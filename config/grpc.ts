import { status as GrpcStatus } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

/** Brief pushback (a workflow between runs, a burst) is absorbed; sustained pushback is the caller's to handle. */
const PUSHBACK_ATTEMPTS = 3;
const PUSHBACK_DELAY_MS = 250;

/**
 * gRPC retries for the API's client. The SDK's default retries
 * RESOURCE_EXHAUSTED ~10 times over tens of seconds: right for a batch job,
 * wrong for an HTTP caller, who should soon get a 429 with Retry-After and
 * decide for itself. So pushback gets a few quick retries only; everything
 * else keeps the default policy.
 */
export function apiGrpcInterceptors() {
  const defaults = defaultGrpcRetryOptions();
  return [
    makeGrpcRetryInterceptor({
      delayFunction: (attempt, status) =>
        status.code === GrpcStatus.RESOURCE_EXHAUSTED
          ? PUSHBACK_DELAY_MS * attempt
          : defaults.delayFunction(attempt, status),
      retryableDecider: (attempt, status) =>
        status.code === GrpcStatus.RESOURCE_EXHAUSTED
          ? attempt < PUSHBACK_ATTEMPTS
          : defaults.retryableDecider(attempt, status),
    }),
  ];
}
