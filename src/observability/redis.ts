/**
 * The redis cache's signals, from oliver006/redis_exporter: each PromQL expression is written once here and used by
 * the alert rules, the dashboard panels and `RedisCache`'s own signal methods.
 */
import type { AlertRule, PanelSection, Severity } from './types';

/** Which redis_exporter series belong to one cache. */
export interface RedisSignalScope {
  /**
   * Exact namespace of the cache.
   * @default - any namespace
   */
  readonly namespace?: string;
  /**
   * The Service the exporter is scraped through (prometheus-operator sets the `service` label from it).
   * @default - any service
   */
  readonly service?: string;
  /**
   * Extra label matchers for the exporter's series, such as `job="redis-exporter"`, without braces.
   * @default - none
   */
  readonly selector?: string;
}

/** Alert thresholds for a redis cache. */
export interface RedisSignalOptions extends RedisSignalScope {
  /**
   * Fire when used memory exceeds this fraction of maxmemory. Under eviction `used_memory` hovers just below maxmemory,
   * so this also means "the cache is full and evicting"; short bursts above maxmemory are normal.
   * @default 0.9
   */
  readonly usedToMaxmemoryRatio?: number;
  /**
   * Fire when keys are evicted faster than this many per second, for `evictionsForMinutes`. Evictions are the point of
   * an LRU cache; a sustained high rate means the cache is too small for its working set (falling hit ratio).
   * @default 10
   */
  readonly evictionsPerSecond?: number;
  /**
   * How long the eviction rate must stay high.
   * @default 15
   */
  readonly evictionsForMinutes?: number;
  /**
   * Severity of the memory alert.
   * @default 'warning'
   */
  readonly memorySeverity?: Severity;
}

/** The label matchers of a scope, joined with commas (no braces). */
export function redisMatchers(scope: RedisSignalScope = {}): string {
  const parts: string[] = [];
  if (scope.selector) parts.push(scope.selector);
  if (scope.namespace !== undefined) parts.push(`namespace="${scope.namespace}"`);
  if (scope.service !== undefined) parts.push(`service="${scope.service}"`);
  return parts.join(', ');
}

/** Bytes redis has allocated for data (`used_memory`). */
export function redisMemoryUsed(scope: RedisSignalScope = {}): string {
  return `redis_memory_used_bytes{${redisMatchers(scope)}}`;
}

/** `maxmemory` in bytes; series with maxmemory 0 (unlimited) are dropped so that ratios never divide by zero. */
export function redisMemoryMax(scope: RedisSignalScope = {}): string {
  return `redis_memory_max_bytes{${redisMatchers(scope)}} > 0`;
}

/** used_memory / maxmemory per instance; absent when maxmemory is 0. */
export function redisMemoryUsedToMaxRatio(scope: RedisSignalScope = {}): string {
  return `${redisMemoryUsed(scope)}\n  / on (namespace, service, pod, instance)\n(${redisMemoryMax(scope)})`;
}

/** Evicted keys per second per instance. */
export function redisEvictionRate(scope: RedisSignalScope = {}, window = '5m'): string {
  return `rate(redis_evicted_keys_total{${redisMatchers(scope)}}[${window}])`;
}

/** Keyspace hit ratio per instance (hits / (hits + misses)); absent while there are no lookups. */
export function redisHitRatio(scope: RedisSignalScope = {}, window = '5m'): string {
  const m = redisMatchers(scope);
  return `rate(redis_keyspace_hits_total{${m}}[${window}])\n  / on (namespace, service, pod, instance)\n(rate(redis_keyspace_hits_total{${m}}[${window}]) + rate(redis_keyspace_misses_total{${m}}[${window}]) > 0)`;
}

/** 1 while the exporter reaches redis, 0 when redis does not answer it. */
export function redisUp(scope: RedisSignalScope = {}): string {
  return `redis_up{${redisMatchers(scope)}}`;
}

/** Prometheus's own scrape health of the exporter (0: the exporter is down or unreachable). */
export function redisExporterScrapeUp(scope: RedisSignalScope = {}): string {
  // `up` exists for every target: without a scope, narrow it to redis-looking jobs rather than alert on all of them.
  return `up{${redisMatchers(scope) || 'job=~".*redis.*"'}}`;
}

/**
 * No scrape target for the exporter at all: `absent()` of its `up` series. `up == 0` (RedisExporterDown) needs a target;
 * when Prometheus has none (the ServiceMonitor's labels do not match its `serviceMonitorSelector`, the CRD or the
 * ServiceMonitor is missing, the pod is gone) there is no `up` series and every other redis alert is silently blind.
 * Only for a scope (a service, namespace or selector): `absent()` of every redis-looking job says nothing about one cache.
 */
export function redisExporterScrapeAbsent(scope: RedisSignalScope = {}): string {
  return `absent(${redisExporterScrapeUp(scope)})`;
}

/**
 * The alert rules of one redis cache: memory near maxmemory, evictions high, redis down, exporter down, and (for a scoped
 * cache) exporter not scraped at all.
 */
export function redisAlertRules(options: RedisSignalOptions = {}): AlertRule[] {
  const ratio = options.usedToMaxmemoryRatio ?? 0.9;
  const evictions = options.evictionsPerSecond ?? 10;
  const evictionsFor = options.evictionsForMinutes ?? 15;
  const where = [options.namespace && `namespace ${options.namespace}`, options.service && `service ${options.service}`]
    .filter(Boolean).join(', ');
  const suffix = where ? ` (${where})` : '';
  return [
    {
      alert: 'RedisMemoryNearMaxmemory',
      expr: `${redisMemoryUsedToMaxRatio(options)}\n> ${ratio}`,
      for: '5m',
      labels: { severity: options.memorySeverity ?? 'warning' },
      annotations: {
        summary: `Redis {{ $labels.pod }} uses more than ${Math.round(ratio * 100)}% of maxmemory${suffix}.`,
        description: 'Redis {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its maxmemory. '
          + 'A cache evicts here by design; if the hit ratio falls too, raise the container limit (maxmemory follows it).',
      },
    },
    {
      alert: 'RedisEvictionsHigh',
      expr: `${redisEvictionRate(options)} > ${evictions}`,
      for: `${evictionsFor}m`,
      labels: { severity: 'warning' },
      annotations: {
        summary: `Redis {{ $labels.pod }} evicts more than ${evictions} keys/s${suffix}.`,
        description: 'Redis {{ $labels.namespace }}/{{ $labels.pod }} has evicted {{ $value | humanize }} keys/s for '
          + `${evictionsFor} minutes: the working set no longer fits in maxmemory. Check the hit ratio and raise the limit.`,
      },
    },
    {
      alert: 'RedisDown',
      expr: `${redisUp(options)} == 0`,
      for: '2m',
      labels: { severity: 'critical' },
      annotations: {
        summary: `Redis {{ $labels.pod }} does not answer its exporter${suffix}.`,
        description: 'redis_exporter in {{ $labels.namespace }}/{{ $labels.pod }} cannot reach redis (redis_up == 0).',
      },
    },
    {
      alert: 'RedisExporterDown',
      expr: `${redisExporterScrapeUp(options)} == 0`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `The redis exporter of {{ $labels.pod }} cannot be scraped${suffix}.`,
        description: 'Prometheus cannot scrape redis_exporter at {{ $labels.instance }}: the redis alerts are blind.',
      },
    },
    ...(options.service !== undefined || options.namespace !== undefined || options.selector ? [{
      alert: 'RedisExporterAbsent',
      expr: redisExporterScrapeAbsent(options),
      // Long enough for a Recreate rollout and a Prometheus restart, where the target briefly has no series.
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `Prometheus has no redis exporter target${suffix}.`,
        description: 'No `up` series for the redis exporter: Prometheus does not scrape it, so the other redis alerts cannot fire. '
          + 'Check that the ServiceMonitor exists and that its labels match the Prometheus serviceMonitorSelector '
          + '(kube-prometheus-stack: release: <helm release>), and that the redis pod is running.',
      },
    }] : []),
  ];
}

/** The dashboard panels of one redis cache, over the same expressions as its alerts. */
export function redisDashboardSection(title: string, options: RedisSignalOptions = {}): PanelSection {
  const ratio = options.usedToMaxmemoryRatio ?? 0.9;
  return {
    title,
    panels: [
      {
        title: 'Used memory vs maxmemory',
        unit: 'bytes',
        queries: [
          { expr: redisMemoryUsed(options), legendFormat: '{{pod}} used' },
          { expr: redisMemoryMax(options), legendFormat: '{{pod}} maxmemory' },
        ],
      },
      {
        title: 'Used / maxmemory',
        description: `The alert fires above ${ratio}.`,
        unit: 'percentunit',
        queries: [{ expr: redisMemoryUsedToMaxRatio(options), legendFormat: '{{pod}}' }],
        thresholds: [ratio],
      },
      {
        title: 'Evicted keys per second',
        unit: 'ops',
        queries: [{ expr: redisEvictionRate(options), legendFormat: '{{pod}}' }],
        thresholds: [options.evictionsPerSecond ?? 10],
      },
      {
        title: 'Keyspace hit ratio',
        unit: 'percentunit',
        queries: [{ expr: redisHitRatio(options), legendFormat: '{{pod}}' }],
      },
      {
        title: 'Redis and exporter up',
        unit: 'none',
        kind: 'stat',
        queries: [
          { expr: redisUp(options), legendFormat: '{{pod}} redis' },
          { expr: redisExporterScrapeUp(options), legendFormat: '{{pod}} exporter' },
        ],
      },
    ],
  };
}
