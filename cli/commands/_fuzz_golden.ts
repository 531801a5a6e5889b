/**
 * `midgram fuzz`'s golden mode: runs the golden cases below the folders
 * named ({@linkcode runGolden}) and prints the results as text, TAP or JSON.
 *
 * @module
 */
import { GOLDEN_EXTENSIONS, runGolden } from "../../lib/fuzz/golden_runner.ts";
import { palette } from "../_color.ts";
import { expandPaths } from "../_files.ts";
import type { Io } from "../io.ts";
import type { FuzzOptions } from "./_fuzz_common.ts";

/** Runs and reports the golden cases below `dirs`; 1 when one fails or none is found. */
export async function golden(dirs: string[], options: FuzzOptions, io: Io): Promise<number> {
  const paths = expandPaths(dirs, GOLDEN_EXTENSIONS).map((f) => f.path);
  const color = palette(options.color ?? "auto", io, "stdout");
  const results = await runGolden(paths, { update: options.update, filter: options.filter });
  const failed = results.filter((r) => !r.ok);
  if (options.format === "json") {
    io.stdout(
      JSON.stringify({ cases: results.length, failed: failed.length, results }, null, 2) + "\n",
    );
  } else if (options.format === "tap") {
    io.stdout(`TAP version 13\n1..${results.length}\n`);
    results.forEach((r, i) => {
      io.stdout(`${r.ok ? "ok" : "not ok"} ${i + 1} - ${r.kind} ${r.path}\n`);
      if (!r.ok) io.stdout(r.diff.split("\n").map((l) => `# ${l}`).join("\n") + "\n");
    });
  } else {
    for (const r of failed) io.stdout([color.red("FAIL"), ` ${r.kind} ${r.path}\n${r.diff}\n`]);
  }
  const updated = options.update ? " (expectations updated: review with git diff)" : "";
  io.stderr(
    `golden: ${results.length} cases, ${
      results.length - failed.length
    } passed, ${failed.length} failed${updated}\n`,
  );
  if (results.length === 0) {
    io.stderr(
      `midgram: no golden cases (*.mi, *.json, *.req.hex) found in ${dirs.join(", ")}\n`,
    );
    return 1;
  }
  return failed.length > 0 ? 1 : 0;
}
