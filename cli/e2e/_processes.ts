/**
 * Running midgram as a real process in each of its forms, for end-to-end tests.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The forms midgram runs in. */
export type Runtime = "node" | "deno" | "binary";

/**
 * Why a test that only spawns processes (dist/midgram, the CLI under a named
 * runtime, a peer's tool) skips under Deno's runner: the child is the same
 * whichever runner starts it, so Node's runner alone runs it. False under Node.
 */
export const SPAWNS_ONLY: string | false = "Deno" in globalThis
  ? "spawns processes only: Node's runner runs it, the child is the same under either"
  : false;

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DENO = `${ROOT}node_modules/.bin/deno`;
export const BINARY = `${ROOT}dist/midgram`;
/**
 * The project's pinned Node (scripts/_runtime.mjs), for which node_modules'
 * unix-dgram is built, whichever `node` is on PATH; else that one.
 */
export const NODE = existsSync(`${ROOT}node_modules/.bin/node`)
  ? `${ROOT}node_modules/.bin/node`
  : "node";

/** The command line that starts midgram in a given form. */
export function launcher(runtime: Runtime): [string, string[]] {
  switch (runtime) {
    case "node":
      // By path, so that the child may run in any directory; Node strips the types.
      return [NODE, [`${ROOT}cli/bin.ts`]];
    case "deno":
      return [DENO, [
        "run",
        "--unstable-net",
        "-A",
        `--config=${ROOT}deno.json`,
        `${ROOT}cli/bin.ts`,
      ]];
    case "binary":
      if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run npm run build first`);
      return [BINARY, []];
  }
}

/** Runs midgram to completion. */
export function run(
  runtime: Runtime,
  args: string[],
  options: { input?: string | Uint8Array; env?: Record<string, string>; cwd?: string } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const [command, prefix] = launcher(runtime);
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout!.on("data", (c) => (stdout += c));
    child.stderr!.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin!.end(options.input ?? "");
  });
}

/** A server process and the addresses it announced. */
export interface ServerProcess {
  child: ChildProcess;
  addresses: string[];
  stderr: () => string;
  /**
   * Sends SIGTERM and waits for the exit: the status, or 0 for a clean exit
   * that Deno's child_process misreports (under Deno, a child that was sent a
   * signal is always reported as killed by it, whatever its exit status; the
   * callers check the clean shutdown's other effects, such as the removed socket file).
   */
  stop(): Promise<number | null>;
}

/** Starts `midgram serve` and waits for one ready line per socket. */
export function startServer(
  runtime: Runtime,
  args: string[],
  sockets: number,
): Promise<ServerProcess> {
  const [command, prefix] = launcher(runtime);
  const child = spawn(command, [...prefix, "serve", ...args], {
    cwd: ROOT,
    env: { ...process.env, MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (c) => (stderr += c));
  const misreports = "Deno" in globalThis;
  const exited = new Promise<number | null>((resolve) =>
    child.on(
      "exit",
      (code, signal) => resolve(code ?? (misreports && signal === "SIGTERM" ? 143 : null)),
    )
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${runtime} server not ready in 20 s: ${stderr}`));
    }, 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${runtime} server exited with ${code}: ${stderr}`));
    });
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const lines = stdout.split("\n").filter((l) => l.startsWith("listening on "));
      if (lines.length === sockets) {
        clearTimeout(timer);
        resolve({
          child,
          addresses: lines.map((l) => l.slice("listening on ".length)),
          stderr: () => stderr,
          stop: () => {
            child.kill("SIGTERM");
            const limit = setTimeout(() => child.kill("SIGKILL"), 10_000);
            return exited.finally(() => clearTimeout(limit));
          },
        });
      }
    });
  });
}
