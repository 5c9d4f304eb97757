import { checkRange, InputError } from './errors';
import { Memory } from './quantity';

/**
 * The smallest memory limit a container can have: runc refuses limits below 6 MiB, so the pod would never start.
 * @see https://github.com/opencontainers/runc/blob/main/libcontainer/cgroups/fs/memory.go
 */
export const MIN_CONTAINER_MEMORY = Memory.mebibytes(6);

/** What a container's memory is computed from. */
export interface ContainerMemoryInput {
  /**
   * The memory limit: the container is OOM-killed above it.
   * @default - derived from `request` and `headroomPercent`
   */
  readonly limit?: Memory;
  /**
   * The memory request: what the scheduler reserves on the node.
   * @default - equal to the limit (Guaranteed memory QoS), or derived from it with `headroomPercent`
   */
  readonly request?: Memory;
  /**
   * How far the limit may exceed the request, in percent of the request. 0 keeps request == limit: memory cannot be
   * compressed, so a limit above the request overcommits the node and a neighbour pays with an OOM kill or eviction.
   * @default 0
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   */
  readonly headroomPercent?: number;
  /**
   * The names of the input fields, as the caller's user wrote them, for error messages.
   * @default { limit: 'limit', request: 'request', headroomPercent: 'headroomPercent' }
   */
  readonly fieldNames?: { readonly limit: string; readonly request: string; readonly headroomPercent: string };
}

/** A container's memory request and limit. */
export interface ContainerMemory {
  readonly request: Memory;
  readonly limit: Memory;
  /** True when request == limit: the container cannot be squeezed by neighbours' overcommit. */
  readonly guaranteed: boolean;
}

/**
 * Computes a container's memory request and limit.
 *
 * - `limit` alone: request == limit (the default, Guaranteed memory QoS).
 * - `limit` and `headroomPercent`: request = limit / (1 + headroom/100), rounded down to whole MiB.
 * - `request` alone (with an optional `headroomPercent`): limit = request * (1 + headroom/100), rounded up to whole MiB.
 * - `request` and `limit`: both as given; the request must not exceed the limit.
 */
export function containerMemory(input: ContainerMemoryInput): ContainerMemory {
  const names = input.fieldNames ?? { limit: 'limit', request: 'request', headroomPercent: 'headroomPercent' };
  const field = names.limit;
  const requestField = names.request;
  const headroom = input.headroomPercent;
  if (headroom !== undefined) checkRange(names.headroomPercent, headroom, 0, 400, '%');
  if (input.limit === undefined && input.request === undefined) {
    throw new InputError({ field, value: undefined, accepted: `a memory quantity of at least ${MIN_CONTAINER_MEMORY} (or a ${requestField} to derive it from)` });
  }
  if (input.limit !== undefined && input.request !== undefined && headroom !== undefined) {
    throw new InputError({
      field: names.headroomPercent,
      value: headroom,
      accepted: `no headroomPercent when both ${field} and ${requestField} are given (the headroom would be ${field} / ${requestField})`,
    });
  }
  const factor = 1 + (headroom ?? 0) / 100;
  const mebibyte = Memory.mebibytes(1);
  const limit = input.limit ?? input.request!.times(factor, 'ceil').ceilTo(mebibyte);
  const request = input.request ?? (headroom ? limit.times(1 / factor, 'floor').floorTo(mebibyte) : limit);
  if (limit.isLessThan(MIN_CONTAINER_MEMORY)) {
    throw new InputError({ field, value: limit.toString(), accepted: `at least ${MIN_CONTAINER_MEMORY} (runc refuses smaller memory limits)` });
  }
  if (request.bytes === 0) {
    throw new InputError({ field: requestField, value: request.toString(), accepted: 'a memory quantity above 0' });
  }
  if (request.isGreaterThan(limit)) {
    throw new InputError({
      field: requestField,
      value: request.toString(),
      reason: `it is above ${field} ${limit}`,
      accepted: `at most the ${field} (${limit}); Kubernetes rejects a request above its limit`,
    });
  }
  return { request, limit, guaranteed: request.equals(limit) };
}
