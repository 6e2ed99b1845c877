/// <reference path="./parse-prometheus-text-format.d.ts" />
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";

/**
 * A scrape as Prometheus reads it: Prometheus text parsed by a Prometheus text parser, so a test
 * asserts on families and series rather than on the text's layout.
 */
export class PrometheusScrape {
  constructor(readonly families: PrometheusFamily[]) {}

  /** Parses Prometheus text (what `GET /metrics` answers); throws on text that is not valid. */
  static parse(text: string): PrometheusScrape {
    return new PrometheusScrape(parsePrometheusTextFormat(text));
  }

  /** Scrapes a prom-client registry (anything with its `metrics()`) and parses the text. */
  static async of(registry: { metrics(): Promise<string> }): Promise<PrometheusScrape> {
    return PrometheusScrape.parse(await registry.metrics());
  }

  family(name: string): PrometheusFamily | undefined {
    return this.families.find((family) => family.name === name);
  }

  /** The value of the counter or gauge series with exactly these labels; undefined when absent. */
  value(name: string, labels: Record<string, string>): number | undefined {
    const sample = this.series(name, labels);
    return sample && "value" in sample ? Number(sample.value) : undefined;
  }

  /** `count` and `sum` of the histogram series with exactly these labels; undefined when absent. */
  histogram(name: string, labels: Record<string, string>): { count: number; sum: number } | undefined {
    const sample = this.series(name, labels);
    return sample && "count" in sample ? { count: Number(sample.count), sum: Number(sample.sum) } : undefined;
  }

  private series(name: string, labels: Record<string, string>) {
    const wanted = JSON.stringify(Object.entries(labels).sort());
    return this.family(name)?.metrics.find(
      (sample) => JSON.stringify(Object.entries(sample.labels ?? {}).sort()) === wanted,
    );
  }
}
