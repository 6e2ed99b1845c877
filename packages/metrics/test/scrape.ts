import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import type { Registry } from "prom-client";

/** A scrape as Prometheus would read it: the registry's text, parsed by a Prometheus text parser. */
export class Scrape {
  constructor(readonly families: PrometheusFamily[]) {}

  /** Scrapes `registry` and parses its text. */
  static async of(registry: Registry): Promise<Scrape> {
    return new Scrape(parsePrometheusTextFormat(await registry.metrics()));
  }

  family(name: string): PrometheusFamily | undefined {
    return this.families.find((family) => family.name === name);
  }

  /** The value of the counter or gauge series with exactly these labels; undefined when absent. */
  value(name: string, labels: Record<string, string>): number | undefined {
    const sample = this.series(name, labels);
    return sample && "value" in sample ? Number(sample.value) : undefined;
  }

  /** `count` and `sum` of the histogram series with exactly these labels. */
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
