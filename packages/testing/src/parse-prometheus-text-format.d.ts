declare module "parse-prometheus-text-format" {
  /** One sample of a counter, gauge or untyped family. */
  interface PrometheusSample {
    value: string;
    labels?: Record<string, string>;
  }
  /** One series of a histogram family. */
  interface PrometheusHistogramSample {
    buckets: Record<string, string>;
    count: string;
    sum: string;
    labels?: Record<string, string>;
  }
  export interface PrometheusFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: (PrometheusSample | PrometheusHistogramSample)[];
  }
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
