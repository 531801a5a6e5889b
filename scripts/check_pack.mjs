// Proves that `npm pack` makes a package whose `bin` works after a global
// install: packs, installs the tarball globally into a temporary prefix
// (dependencies from the npm cache that `npm ci` filled; unix-dgram is built
// on install), then runs the installed `midgram` for real, a UNIX datagram
// round trip included.
//
//   node scripts/check_pack.mjs
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtimeEnv } from "./_runtime.mjs";

const dir = mkdtempSync(join(tmpdir(), "midgram-pack-"));
// The package is installed and run on the pinned runtime: its unix-dgram
// is built against that runtime's headers, and `midgram` starts with the
// `node` on PATH.
const env = runtimeEnv();
const run = (command, args, options = {}) =>
  execFileSync(command, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env,
    ...options,
  });
try {
  const tarball = join(
    dir,
    run("npm", ["pack", "--silent", "--pack-destination", dir]).trim().split("\n").at(-1),
  );
  const prefix = join(dir, "prefix");
  run("npm", [
    "install",
    "--global",
    "--prefix",
    prefix,
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--allow-scripts=unix-dgram",
    tarball,
  ], { cwd: dir }); // outside the checkout: its .npmrc is not the installed package's
  const bin = join(prefix, "bin", "midgram");
  const version = run(bin, ["--version"]).trim();
  const request = join(dir, "req.mi");
  writeFileSync(request, ":version:\n");
  run(bin, ["parse", request]);
  const socket = join(dir, "mi.sock");
  const server = spawn(bin, ["serve", "-s", socket, "--log-level", "error"], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("installed server not ready")), 15000);
      server.stdout.on(
        "data",
        (c) => String(c).includes("listening") && (clearTimeout(timer), resolve()),
      );
      server.on("exit", (code) => reject(new Error(`installed server exited ${code}`)));
    });
    const reply = run(bin, ["send", "-s", socket, "version"]);
    if (!reply.startsWith("200 OK\nServer:: midgram")) {
      throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
    }
  } finally {
    server.kill("SIGTERM");
  }
  console.log(
    `check:pack: ok: ${
      tarball.split("/").at(-1)
    } installs globally; midgram ${version} parses, serves and sends`,
  );
} catch (error) {
  console.error(`check:pack: failed: ${error.stderr ?? ""}${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
