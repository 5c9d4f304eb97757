import { App } from 'cdk8s';
import { bareNamespaces, guardedNamespaces, guardObjectsTemplate, plainNamespaces } from '../../bench/scenarios';

/** Every object of the app, in synthesis order. */
function synthesize(build: (app: App, count: number) => void, count: number): any[] {
  const app = new App();
  build(app, count);
  return app.charts.flatMap((chart) => chart.toJson());
}

const kindCounts = (objects: any[]): Record<string, number> =>
  objects.reduce((counts, o) => ({ ...counts, [o.kind]: (counts[o.kind] ?? 0) + 1 }), {});

describe('bench scenarios', () => {
  test('GIVEN 3 namespaces WHEN guarded THEN 10 Deployments and the guard\'s 14 objects each, and bare has the 10 Deployments only', () => {
    expect(kindCounts(synthesize(guardedNamespaces, 3))).toEqual({
      Deployment: 30, VerticalPodAutoscaler: 30, LimitRange: 3, ResourceQuota: 3, PrometheusRule: 3, ConfigMap: 3,
    });
    expect(kindCounts(synthesize(bareNamespaces, 3))).toEqual({ Deployment: 30 });
  });

  test('GIVEN the floor scenario THEN it emits the guard\'s objects besides the Deployments, and the bare Deployments', () => {
    // cdk8s names end in a hash of the construct path; the floor copies one namespace's objects, so only those differ.
    const withoutHashes = (objects: any[]) => JSON.parse(JSON.stringify(objects).replace(/-c8[0-9a-f]{6}/g, '-<hash>'));
    const template = guardObjectsTemplate();
    const plain = synthesize((app, count) => plainNamespaces(app, count, template), 3);
    // The first guard carries the node alerts; the floor copies the other 99's objects, which the remaining guards match.
    const notFirst = (o: any) => o.kind !== 'Deployment' && o.metadata.namespace !== 'team-0';
    expect(withoutHashes(plain.filter(notFirst))).toEqual(withoutHashes(synthesize(guardedNamespaces, 3).filter(notFirst)));
    expect(withoutHashes(plain.filter((o) => o.kind === 'Deployment'))).toEqual(withoutHashes(synthesize(bareNamespaces, 3)));
  });
});
