/**
 * The defaults every memguard panel shares (the grafana-foundation-sdk `common.ts` idea): the datasource variable,
 * sizes, legend and tooltip, thresholds, and the one function that turns a framework-free `PanelSpec` into a Grafana
 * panel with the SDK's builders.
 *
 * Import note: the SDK only publishes subpath `exports` (`@grafana/grafana-foundation-sdk/dashboard`, ...), which
 * TypeScript's `node10` module resolution (ours, under `module: CommonJS`) cannot see. So the types come from the
 * `dist/` paths (`import type`, erased at compile time) and the values from the exported subpaths through `require`,
 * which Node and jest resolve through the package's `exports` map.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as barGaugeTypes from '@grafana/grafana-foundation-sdk/dist/bargauge';
import type * as cogTypes from '@grafana/grafana-foundation-sdk/dist/cog';
import type * as commonTypes from '@grafana/grafana-foundation-sdk/dist/common';
import type * as dashboardTypes from '@grafana/grafana-foundation-sdk/dist/dashboard';
import type * as prometheusTypes from '@grafana/grafana-foundation-sdk/dist/prometheus';
import type * as statTypes from '@grafana/grafana-foundation-sdk/dist/stat';
import type * as tableTypes from '@grafana/grafana-foundation-sdk/dist/table';
import type * as timeseriesTypes from '@grafana/grafana-foundation-sdk/dist/timeseries';
import { PanelSpec } from './types';

/** The SDK modules, loaded through the package's `exports` map. */
export const sdk = {
  dashboard: require('@grafana/grafana-foundation-sdk/dashboard') as typeof dashboardTypes,
  common: require('@grafana/grafana-foundation-sdk/common') as typeof commonTypes,
  prometheus: require('@grafana/grafana-foundation-sdk/prometheus') as typeof prometheusTypes,
  timeseries: require('@grafana/grafana-foundation-sdk/timeseries') as typeof timeseriesTypes,
  stat: require('@grafana/grafana-foundation-sdk/stat') as typeof statTypes,
  table: require('@grafana/grafana-foundation-sdk/table') as typeof tableTypes,
  bargauge: require('@grafana/grafana-foundation-sdk/bargauge') as typeof barGaugeTypes,
};

/** A builder of the SDK. */
export type Builder<T> = cogTypes.Builder<T>;

/** The name of the datasource template variable; every query uses `${datasource}`. */
export const DATASOURCE_VARIABLE = 'datasource';

/** The datasource reference every panel and query uses: the template variable, never a fixed uid. */
export function datasourceRef(): { type: string; uid: string } {
  return { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
}

/** Default panel size on Grafana's 24-column grid. */
export const PANEL_HEIGHT = 8;
/** Half the grid: two panels per row. */
export const PANEL_WIDTH = 12;

/** Colours of the threshold steps, lowest first. */
const STEP_COLOURS = ['green', 'orange', 'red', 'dark-red'];

function thresholds(values: readonly number[] = []): Builder<dashboardTypes.ThresholdsConfig> {
  return new sdk.dashboard.ThresholdsConfigBuilder()
    .mode(sdk.dashboard.ThresholdsMode.Absolute)
    .steps([
      { value: null, color: STEP_COLOURS[0] },
      ...values.map((value, i) => ({ value, color: STEP_COLOURS[Math.min(i + 1, STEP_COLOURS.length - 1)] })),
    ]);
}

/** Query reference ids A, B, C... */
export function refId(index: number): string {
  return String.fromCharCode('A'.charCodeAt(0) + index);
}

function targets(spec: PanelSpec, instant: boolean): Array<Builder<cogTypes.Dataquery>> {
  return spec.queries.map((query, i) => {
    const target = new sdk.prometheus.DataqueryBuilder()
      .datasource(datasourceRef())
      .expr(query.expr)
      .legendFormat(query.legendFormat ?? '__auto')
      .refId(refId(i));
    return instant ? target.instant().format(sdk.prometheus.PromQueryFormat.Table) : target.range();
  });
}

/** The methods every SDK panel builder shares. */
interface CommonPanelBuilder extends Builder<dashboardTypes.Panel> {
  id(id: number): this;
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: { type?: string; uid?: string }): this;
  targets(targets: Array<Builder<cogTypes.Dataquery>>): this;
  unit(unit: string): this;
  thresholds(thresholds: Builder<dashboardTypes.ThresholdsConfig>): this;
  height(h: number): this;
  span(w: number): this;
}

/** One Grafana panel from a PanelSpec, with memguard's defaults. */
export function renderPanel(spec: PanelSpec, id: number): Builder<dashboardTypes.Panel> {
  const kind = spec.kind ?? 'timeseries';
  let builder: CommonPanelBuilder;
  if (kind === 'timeseries') {
    builder = new sdk.timeseries.PanelBuilder()
      .legend(new sdk.common.VizLegendOptionsBuilder()
        .showLegend(true).displayMode(sdk.common.LegendDisplayMode.List).placement(sdk.common.LegendPlacement.Bottom))
      .tooltip(new sdk.common.VizTooltipOptionsBuilder().mode(sdk.common.TooltipDisplayMode.Multi))
      .fillOpacity(10)
      .thresholdsStyle(new sdk.common.GraphThresholdsStyleConfigBuilder()
        .mode(spec.thresholds?.length ? sdk.common.GraphThresholdsStyleMode.Dashed : sdk.common.GraphThresholdsStyleMode.Off));
  } else if (kind === 'stat') {
    builder = new sdk.stat.PanelBuilder();
  } else if (kind === 'table') {
    builder = new sdk.table.PanelBuilder();
  } else {
    builder = new sdk.bargauge.PanelBuilder();
  }
  builder = builder
    .id(id)
    .title(spec.title)
    .datasource(datasourceRef())
    .targets(targets(spec, kind !== 'timeseries'))
    .unit(spec.unit)
    .thresholds(thresholds(spec.thresholds))
    .height(PANEL_HEIGHT)
    .span(PANEL_WIDTH);
  if (spec.description) builder = builder.description(spec.description);
  return builder;
}
