/** The HTML page of a `surf verify` report: a summary table, then one section per check with its figures. */
import { renderPage } from "../report/html.js";
import type { Check } from "./check.js";
import { CHECKS } from "./checks/index.js";
import type { VerifyReport } from "./verify.js";

export function verifyPage(report: VerifyReport, command: string): string {
  const byName = new Map<string, Check>(CHECKS.map((c) => [c.name, c as Check]));
  const passed = report.checks.filter((c) => c.pass).length;
  return renderPage({
    title: `surf verify — the theorems on Gaussian ensembles${report.quick ? " (quick)" : ""}`,
    subtitle: [
      `${report.date.slice(0, 10)} · seed ${report.seed} · ${report.quick ? "quick sizes" : "full sizes"} · backend ${report.backend} · ${seconds(report.seconds)} of measurement (taken on a shared machine: not a benchmark)`,
      `${passed} of ${report.checks.length} checks pass · made by: ${command}`,
    ],
    sections: [
      {
        heading: "Summary",
        id: "summary",
        tables: [{ columns: ["check", "statement", "result"], rows: report.checks.map((c) => [c.name, c.title, c.pass ? "pass" : "FAIL"]) }],
        paragraphs: [
          "Each check states the theorem's prediction, measures it on seeded random networks at growing sizes and passes or fails by that prediction. " +
            "Every number comes from the seed above: the same command reproduces this page.",
        ],
      },
      ...report.checks.map((c) => ({
        heading: `${c.name}: ${c.title}`,
        id: c.name,
        badge: c.pass ? "pass" : "fail",
        facts: [
          ["Source", c.source],
          ["Prediction", c.prediction],
          ["Measured", c.summary],
          ["Constants", c.constants],
        ] as [string, string][],
        figures: byName.get(c.name)?.plot(c.figures) ?? [],
      })),
    ],
  });
}

function seconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return "unknown time";
  return s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(0)} min`;
}
