/**
 * Commands from the config file that run a program: never through a shell,
 * with a time limit and an output limit.
 *
 * The request's arguments are appended to argv: a bare value as it is,
 * `name::value` as `name=value`. Each line of the program's stdout becomes a
 * bare reply node (empty lines are skipped: a node cannot be empty). Exit
 * status 0 answers `200 OK`; any other status answers
 * `500 <last line of stderr>` (or `500 command exited with status N`); a
 * program that runs too long is killed and answers `500 command timed out`;
 * one that prints more than the limit is killed and answers
 * `500 command output too large`. A line the reply layout cannot carry (one
 * holding `:: `, or starting with the reply indent) makes the reply
 * `500 command failed`.
 *
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { concatBytes } from "../lib/bytes.ts";
import { node } from "../lib/protocol/mi/reply_builders.ts";
import type { MiArgument, MiReply } from "../lib/protocol/mi/types.ts";
import { MiReplyError } from "../lib/server/mi_reply_error.ts";
import type { MiHandler } from "../lib/server/server.ts";

/** How a config command runs. */
export interface ExecSpec {
  exec: string[];
  timeoutMs: number;
  maxOutput: number;
}

/** The argv entries for the request's arguments. */
export function argvOf(args: MiArgument[]): string[] {
  return args.map((a) => (a.name === null ? a.value ?? "" : `${a.name}=${a.value ?? ""}`));
}

/**
 * A handler that runs a program.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { execHandler } from "./exec_command.ts";
 * import { createServerWith } from "../lib/server/mod.ts";
 * import { createMemoryTransport } from "../lib/transport/memory.ts";
 * const server = createServerWith({ transport: createMemoryTransport() });
 * const handler = execHandler({ exec: ["/bin/echo", "hello"], timeoutMs: 5000, maxOutput: 65000 });
 * server.registerMi("hello", handler);
 * const reply = await server.handle(new TextEncoder().encode(":hello:\nworld\n"));
 * assert.equal(new TextDecoder().decode(reply!), "200 OK\nhello world\n\n");
 * await server.close();
 * ```
 */
export function execHandler(spec: ExecSpec): MiHandler {
  return (args, { signal }) =>
    new Promise<MiReply>((resolve, reject) => {
      const [program, ...fixed] = spec.exec;
      // Its own process group, so that a time limit also stops what it started.
      const child = spawn(program, [...fixed, ...argvOf(args)], {
        shell: false,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const kill = (sig: "SIGTERM" | "SIGKILL") => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, sig);
        } catch {
          child.kill(sig);
        }
      };
      const out: Uint8Array[] = [];
      let outSize = 0;
      let err = "";
      let failure: MiReplyError | null = null;
      const stop = (why: MiReplyError) => {
        if (failure) return;
        failure = why;
        kill("SIGTERM");
        setTimeout(() => kill("SIGKILL"), 1000).unref?.();
      };
      const timer = setTimeout(
        () => stop(new MiReplyError(500, "command timed out")),
        spec.timeoutMs,
      );
      const onAbort = () => stop(new MiReplyError(500, "command cancelled"));
      signal.addEventListener("abort", onAbort, { once: true });
      child.stdout!.on("data", (chunk: Uint8Array) => {
        outSize += chunk.length;
        if (outSize > spec.maxOutput) stop(new MiReplyError(500, "command output too large"));
        else out.push(chunk);
      });
      child.stderr!.on("data", (chunk: Uint8Array) => {
        if (err.length < 4096) err += new TextDecoder().decode(chunk);
      });
      child.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        reject(new MiReplyError(500, `cannot run ${program}: ${error.code ?? error.message}`));
      });
      child.on("close", (code, killedBy) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (failure) return reject(failure);
        const text = new TextDecoder().decode(concatBytes(out));
        const nodes = text.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l !== "")
          .map((l) => node(null, l));
        if (code === 0) return resolve({ code: 200, reason: "OK", nodes, bare: false });
        const last = err.split("\n").map((l) => l.trim()).filter(Boolean).at(-1);
        const reason = last ??
          (killedBy ? `command killed by ${killedBy}` : `command exited with status ${code}`);
        resolve({ code: 500, reason: reason.slice(0, 200), nodes, bare: false });
      });
    });
}
