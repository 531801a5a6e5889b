/**
 * Parser throughput: `parseRequest` on ~100 MB of requests in-process, and
 * `midgram parse` on a generated corpus of 100,000 request files.
 *
 *   node scripts/bench_parse.ts [--files N] [--megabytes M] [--bin PATH]
 *
 * Prints numbers and ratios; asserts nothing.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { analyzeRequest } from "../lib/protocol/mi/analyze_request.ts";
import { formatRequest } from "../lib/protocol/mi/format_request.ts";
import type { MiArgument } from "../lib/protocol/mi/types.ts";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "100000" },
    megabytes: { type: "string", default: "100" },
    bin: { type: "string", default: "dist/midgram" },
  },
});

/** A deterministic pseudo-random generator, so every run parses the same corpus. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = ["dialog", "tm", "core", "shmem", "usrloc", "registrar", "sl", "pike", "load"];

function requestText(random: () => number): string {
  const args: MiArgument[] = [];
  const count = Math.floor(random() * 6);
  for (let i = 0; i < count; i++) {
    const word = WORDS[Math.floor(random() * WORDS.length)];
    const kind = random();
    if (kind < 0.4) args.push({ name: null, value: `${word}:` });
    else if (kind < 0.7) args.push({ name: word, value: String(Math.floor(random() * 1e6)) });
    else if (kind < 0.85) args.push({ name: word, value: `a value with spaces ${word}` });
    else args.push({ name: null, value: `sip:${word}@example.com;transport=udp` });
  }
  return formatRequest(WORDS[Math.floor(random() * WORDS.length)] + "_cmd", args);
}

function inProcess(megabytes: number): void {
  const random = rng(1);
  const encoder = new TextEncoder();
  const requests: Uint8Array[] = [];
  let total = 0;
  while (total < megabytes * 1e6) {
    const bytes = encoder.encode(requestText(random));
    requests.push(bytes);
    total += bytes.length;
  }
  // Warm up, then time one pass over the whole set.
  for (let i = 0; i < Math.min(requests.length, 20000); i++) analyzeRequest(requests[i]);
  for (const mode of ["compat", "strict"] as const) {
    const start = performance.now();
    let args = 0;
    for (const bytes of requests) args += analyzeRequest(bytes, { mode }).request?.args.length ?? 0;
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `analyzeRequest (${mode}): ${(total / 1e6).toFixed(1)} MB, ${requests.length} requests, ` +
        `${args} args in ${seconds.toFixed(2)} s = ${(total / 1e6 / seconds).toFixed(1)} MB/s, ` +
        `${Math.round(requests.length / seconds)} requests/s`,
    );
  }
}

function corpus(files: number, bin: string): void {
  const dir = mkdtempSync(join(tmpdir(), "midgram-bench-parse-"));
  try {
    const random = rng(2);
    let bytes = 0;
    for (let i = 0; i < files; i++) {
      const sub = join(dir, String(i % 100));
      if (i < 100) mkdirSync(sub);
      let text = requestText(random);
      if (i % 50 === 0) text = text.replace("\n", "\r\n"); // a few invalid ones
      writeFileSync(join(sub, `${i}.mi`), text);
      bytes += text.length;
    }
    const runs: [string, string[]][] = [[bin, ["parse", dir]]];
    runs.push([process.execPath, ["dist/midgram.cjs", "parse", dir]]);
    for (const [command, args] of runs) {
      const start = performance.now();
      const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 28 });
      const seconds = (performance.now() - start) / 1000;
      if (result.error) {
        console.log(`${command}: cannot run: ${result.error.message}`);
        continue;
      }
      console.log(
        `${command} parse: ${files} files (${(bytes / 1e6).toFixed(1)} MB) in ` +
          `${seconds.toFixed(2)} s = ${
            Math.round(files / seconds)
          } files/s, exit ${result.status}, ` +
          `summary: ${result.stderr.trim().split("\n").at(-1)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

inProcess(Number(values.megabytes));
corpus(Number(values.files), values.bin!);
