import {
  redisAlertRules, redisDashboardSection, redisExporterScrapeAbsent, redisExporterScrapeUp, redisMemoryUsedToMaxRatio,
} from '../../src/observability/redis';
import type { RuleGroup } from '../../src/observability/types';
import { checkExpressions, checkRules, PromtoolTestCase, testRules } from '../helpers/promtool';

const scope = { namespace: 'cache', service: 'redis-svc' };
const target = 'namespace="cache", service="redis-svc", pod="redis-0", instance="10.0.0.1:9121", job="redis-svc"';
const targetLabels = { namespace: 'cache', service: 'redis-svc', pod: 'redis-0', instance: '10.0.0.1:9121', job: 'redis-svc' };
const groups: RuleGroup[] = [{ name: 'memguard-redis', rules: redisAlertRules(scope) }];

describe('redis alert rules', () => {
  test('GIVEN the rules for one cache WHEN promtool checks them with every lint THEN they pass', () => {
    expect(checkRules(groups).output).toContain('SUCCESS: 5 rules found');
  });

  test('GIVEN the scope WHEN the ratio is built THEN it divides by maxmemory only where maxmemory > 0', () => {
    expect(redisMemoryUsedToMaxRatio(scope)).toBe(
      'redis_memory_used_bytes{namespace="cache", service="redis-svc"}\n  / on (namespace, service, pod, instance)\n(redis_memory_max_bytes{namespace="cache", service="redis-svc"} > 0)');
    expect(redisExporterScrapeUp()).toBe('up{job=~".*redis.*"}');
  });

  test('GIVEN a scope WHEN the rules are built THEN a scraped-at-all alert over absent(up) joins them; unscoped it does not', () => {
    expect(redisExporterScrapeAbsent(scope)).toBe('absent(up{namespace="cache", service="redis-svc"})');
    const absent = redisAlertRules(scope).find((r) => r.alert === 'RedisExporterAbsent');
    expect(absent).toMatchObject({ expr: 'absent(up{namespace="cache", service="redis-svc"})', for: '15m', labels: { severity: 'warning' } });
    expect(redisAlertRules().map((r) => r.alert)).toEqual(['RedisMemoryNearMaxmemory', 'RedisEvictionsHigh', 'RedisDown', 'RedisExporterDown']);
    expect(redisAlertRules({ selector: 'job="redis-exporter"' }).map((r) => r.alert)).toContain('RedisExporterAbsent');
  });

  test('GIVEN the dashboard panels WHEN promtool parses their queries THEN they are valid PromQL', () => {
    const exprs = redisDashboardSection('redis', scope).panels.flatMap((p) => p.queries.map((q) => q.expr));
    expect(exprs).toHaveLength(7);
    checkExpressions(exprs);
  });

  test('GIVEN series that should and should not alert WHEN promtool tests the rules THEN each alert fires exactly when it should', () => {
    const tests: PromtoolTestCase[] = [
      {
        name: 'used/maxmemory 0.95 fires after 5m; 0.5 does not; maxmemory 0 (unlimited) never divides',
        input_series: [
          { series: `redis_memory_used_bytes{${target}}`, values: '95x15' },
          { series: `redis_memory_max_bytes{${target}}`, values: '100x15' },
          { series: 'redis_memory_used_bytes{namespace="cache", service="redis-svc", pod="redis-1", instance="10.0.0.2:9121", job="redis-svc"}', values: '50x15' },
          { series: 'redis_memory_max_bytes{namespace="cache", service="redis-svc", pod="redis-1", instance="10.0.0.2:9121", job="redis-svc"}', values: '100x15' },
          { series: 'redis_memory_used_bytes{namespace="cache", service="redis-svc", pod="redis-2", instance="10.0.0.3:9121", job="redis-svc"}', values: '500x15' },
          { series: 'redis_memory_max_bytes{namespace="cache", service="redis-svc", pod="redis-2", instance="10.0.0.3:9121", job="redis-svc"}', values: '0x15' },
        ],
        alert_rule_test: [
          { eval_time: '4m', alertname: 'RedisMemoryNearMaxmemory', exp_alerts: [] },
          {
            eval_time: '10m',
            alertname: 'RedisMemoryNearMaxmemory',
            exp_alerts: [{
              exp_labels: { severity: 'warning', namespace: 'cache', service: 'redis-svc', pod: 'redis-0', instance: '10.0.0.1:9121' },
              exp_annotations: {
                summary: 'Redis redis-0 uses more than 90% of maxmemory (namespace cache, service redis-svc).',
                description: 'Redis cache/redis-0 uses 95% of its maxmemory. A cache evicts here by design; if the hit ratio falls too, raise the container limit (maxmemory follows it).',
              },
            }],
          },
        ],
      },
      {
        name: 'evicting 20 keys/s for 15m fires; 1 key/s does not',
        input_series: [
          { series: `redis_evicted_keys_total{${target}}`, values: '0+1200x30' },
          { series: 'redis_evicted_keys_total{namespace="cache", service="redis-svc", pod="redis-1", instance="10.0.0.2:9121", job="redis-svc"}', values: '0+60x30' },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'RedisEvictionsHigh', exp_alerts: [] },
          {
            eval_time: '25m',
            alertname: 'RedisEvictionsHigh',
            exp_alerts: [{
              exp_labels: { severity: 'warning', ...targetLabels },
              exp_annotations: {
                summary: 'Redis redis-0 evicts more than 10 keys/s (namespace cache, service redis-svc).',
                description: 'Redis cache/redis-0 has evicted 20 keys/s for 15 minutes: the working set no longer fits in maxmemory. Check the hit ratio and raise the limit.',
              },
            }],
          },
        ],
      },
      {
        name: 'redis_up 0 for 2m fires; redis_up 1 does not',
        input_series: [
          { series: `redis_up{${target}}`, values: '1 1 0x10' },
          { series: 'redis_up{namespace="cache", service="redis-svc", pod="redis-1", instance="10.0.0.2:9121", job="redis-svc"}', values: '1x12' },
        ],
        alert_rule_test: [
          { eval_time: '2m', alertname: 'RedisDown', exp_alerts: [] },
          {
            eval_time: '6m',
            alertname: 'RedisDown',
            exp_alerts: [{
              exp_labels: { severity: 'critical', ...targetLabels },
              exp_annotations: {
                summary: 'Redis redis-0 does not answer its exporter (namespace cache, service redis-svc).',
                description: 'redis_exporter in cache/redis-0 cannot reach redis (redis_up == 0).',
              },
            }],
          },
        ],
      },
      {
        name: 'an exporter that cannot be scraped for 5m fires; one that can does not; another service is not watched',
        input_series: [
          { series: `up{${target}}`, values: '0x12' },
          { series: 'up{namespace="cache", service="redis-svc", pod="redis-1", instance="10.0.0.2:9121", job="redis-svc"}', values: '1x12' },
          { series: 'up{namespace="cache", service="web", pod="web-0", instance="10.0.0.9:8080", job="web"}', values: '0x12' },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'RedisExporterAbsent', exp_alerts: [] },
          { eval_time: '3m', alertname: 'RedisExporterDown', exp_alerts: [] },
          {
            eval_time: '10m',
            alertname: 'RedisExporterDown',
            exp_alerts: [{
              exp_labels: { severity: 'warning', ...targetLabels },
              exp_annotations: {
                summary: 'The redis exporter of redis-0 cannot be scraped (namespace cache, service redis-svc).',
                description: 'Prometheus cannot scrape redis_exporter at 10.0.0.1:9121: the redis alerts are blind.',
              },
            }],
          },
        ],
      },
      {
        name: 'no scrape target for the cache at all (the ServiceMonitor is not selected) fires after 15m; another service does not count',
        input_series: [
          { series: 'up{namespace="cache", service="web", pod="web-0", instance="10.0.0.9:8080", job="web"}', values: '1x30' },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'RedisExporterAbsent', exp_alerts: [] },
          {
            eval_time: '20m',
            alertname: 'RedisExporterAbsent',
            exp_alerts: [{
              exp_labels: { severity: 'warning', namespace: 'cache', service: 'redis-svc' },
              exp_annotations: {
                summary: 'Prometheus has no redis exporter target (namespace cache, service redis-svc).',
                description: 'No `up` series for the redis exporter: Prometheus does not scrape it, so the other redis alerts cannot fire. '
                  + 'Check that the ServiceMonitor exists and that its labels match the Prometheus serviceMonitorSelector '
                  + '(kube-prometheus-stack: release: <helm release>), and that the redis pod is running.',
              },
            }],
          },
        ],
      },
    ];
    expect(testRules(groups, tests).output).toContain('SUCCESS');
  });
});
