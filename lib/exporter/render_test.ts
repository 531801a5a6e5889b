import { test } from "node:test";
import assert from "node:assert/strict";
import { negotiateFormat, renderSamples } from "./render.ts";
import type { Sample } from "./sample.ts";

const counter = (labels: Record<string, string>, value: number): Sample => ({
  name: "x_total",
  type: "counter",
  help: "X",
  labels,
  value,
});

test("negotiateFormat() picks OpenMetrics only when the scraper asks for it", () => {
  assert.equal(
    negotiateFormat(
      "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4",
    ),
    "openmetrics",
  );
  assert.equal(negotiateFormat("application/openmetrics-text;q=0"), "prometheus");
  assert.equal(negotiateFormat("text/plain"), "prometheus");
  assert.equal(negotiateFormat(undefined), "prometheus");
});

test("renderSamples() writes the text format with escaped label values", async () => {
  const { text, contentType } = await renderSamples(
    [counter({ t: 'a"b\\c\nd' }, 2)],
    "prometheus",
  );
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  assert.equal(
    text,
    '# HELP x_total X\n# TYPE x_total counter\nx_total{t="a\\"b\\\\c\\nd"} 2\n',
  );
});

test("renderSamples() writes OpenMetrics with counter families and # EOF", async () => {
  const { text, contentType } = await renderSamples([counter({}, 1)], "openmetrics");
  assert.match(contentType, /^application\/openmetrics-text/);
  assert.equal(text, "# HELP x X\n# TYPE x counter\nx_total 1\n# EOF\n");
});

test("renderSamples() keeps the first of two samples of one series and of clashing families", async () => {
  const gauge: Sample = { name: "x", type: "gauge", help: "G", labels: {}, value: 5 };
  const { text, dropped } = await renderSamples(
    [counter({}, 1), counter({}, 2), gauge, counter({}, -1)],
    "prometheus",
  );
  assert.equal(dropped, 3);
  assert.match(text, /^x_total 1$/m);
  assert.doesNotMatch(text, /^x 5$/m);
});
