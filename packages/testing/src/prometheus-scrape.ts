/// <reference path="./parse-prometheus-text-format.d.ts" />
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";

/**
 * A scrape as Prometheus reads it: Prometheus text parsed by a Prometheus text parser, so a test
 * asserts on families and series rather than on the text's layout.
 */
export class PrometheusScrape {
  constructor(
    readonly families: PrometheusFamily[],
    /** prom-client's own reading (`getMetricsAsJSON()`), for histograms: see `histogram()`. */
    private readonly json: PromClientMetric[] = [],
  ) {}

  /** Parses Prometheus text (what `GET /metrics` answers); throws on text that is not valid. */
  static parse(text: string): PrometheusScrape {
    return new PrometheusScrape(parsePrometheusTextFormat(text));
  }

  /** Scrapes a prom-client registry (anything with its `metrics()`) and parses the text. */
  static async of(registry: {
    metrics(): Promise<string>;
    getMetricsAsJSON(): Promise<unknown[]>;
  }): Promise<PrometheusScrape> {
    const text = await registry.metrics();
    return new PrometheusScrape(
      parsePrometheusTextFormat(text),
      (await registry.getMetricsAsJSON()) as PromClientMetric[],
    );
  }

  family(name: string): PrometheusFamily | undefined {
    return this.families.find((family) => family.name === name);
  }

  /** The value of the counter or gauge series with exactly these labels; undefined when absent. */
  value(name: string, labels: Record<string, string>): number | undefined {
    const sample = this.series(name, labels);
    return sample && "value" in sample ? Number(sample.value) : undefined;
  }

  /**
   * `count` and `sum` of the histogram series with exactly these labels; undefined when absent.
   * Read from prom-client's JSON: the text parser drops the labels, count and sum of a labelled
   * histogram (parse-prometheus-text-format 1.1.1), though it still checks the text is valid.
   */
  histogram(name: string, labels: Record<string, string>): { count: number; sum: number } | undefined {
    const values = this.json.find((metric) => metric.name === name)?.values ?? [];
    const wanted = JSON.stringify(Object.entries(labels).sort());
    const pick = (suffix: string) =>
      values.find(
        (v) =>
          v.metricName === `${name}${suffix}` && JSON.stringify(Object.entries(v.labels).sort()) === wanted,
      )?.value;
    const count = pick("_count");
    const sum = pick("_sum");
    return count === undefined || sum === undefined ? undefined : { count, sum };
  }

  private series(name: string, labels: Record<string, string>) {
    const wanted = JSON.stringify(Object.entries(labels).sort());
    return this.family(name)?.metrics.find(
      (sample) => JSON.stringify(Object.entries(sample.labels ?? {}).sort()) === wanted,
    );
  }
}

/** One metric of prom-client's `getMetricsAsJSON()`. */
interface PromClientMetric {
  name: string;
  values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
}
