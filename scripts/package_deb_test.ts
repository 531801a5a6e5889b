/**
 * The Debian package (`npm run package`, scripts/build_deb.mjs): lintian
 * finds no error in it, and installing, upgrading to a higher version and
 * purging it in a throw-away root (`dpkg --root`, maintainer scripts run
 * outside a chroot with $DPKG_ROOT set) leaves nothing behind but the two
 * system users, and keeps an edited conffile. The test builds with fast
 * compression; the binary is hard-linked into the staging tree, so each
 * build writes it once, into the .deb.
 *
 * @module
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import { SPAWNS_ONLY } from "../cli/e2e/_processes.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
const UPGRADE = `${VERSION}+1`;
const has = (command: string) => spawnSync(command, ["--version"]).status === 0;

const skip = SPAWNS_ONLY ||
  (process.getuid?.() !== 0
    ? "needs root (dpkg installs owned files, even into another root)"
    : !has("dpkg") || !has("dpkg-deb")
    ? "needs dpkg and dpkg-deb"
    : !has("systemd-sysusers")
    ? "needs systemd-sysusers (the postinst makes the units' users with it)"
    : !existsSync(join(ROOT, "dist/midgram")) || !existsSync(join(ROOT, "dist/man"))
    ? "needs dist/midgram and dist/man (npm run build)"
    : undefined);

let out = "";
const deb = (version: string) => join(out, `midgram_${version}_amd64.deb`);

/** Runs a command to completion within `timeoutMs`; fails the test on a non-zero status. */
function run(command: string, args: string[], timeoutMs = 120_000, env?: Record<string, string>) {
  const r = spawnSync(command, args, {
    encoding: "utf8",
    timeout: timeoutMs,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
    maxBuffer: 1 << 24,
  });
  assert.equal(r.status, 0, `${command} ${args.join(" ")}: ${r.error ?? ""}${r.stdout}${r.stderr}`);
  return r;
}

before(() => {
  if (skip) return;
  out = mkdtempSync(join(tmpdir(), "midgram-deb-"));
  for (const version of [VERSION, UPGRADE]) {
    run(process.execPath, [
      join(ROOT, "scripts/build_deb.mjs"),
      "--version",
      version,
      "--out",
      out,
      "--compress",
      "gzip",
      "--level",
      "1",
    ]);
  }
});

after(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

test("build_deb.mjs: the package holds the binary, pages, completions, conffile, units and docs", {
  skip,
}, () => {
  const list = run("dpkg-deb", ["--contents", deb(VERSION)]).stdout;
  for (
    const path of [
      "./usr/bin/midgram",
      "./usr/share/man/man1/midgram.1.gz",
      "./usr/share/man/man1/midgram-exporter.1.gz",
      "./usr/share/man/man5/midgram.toml.5.gz",
      "./usr/share/bash-completion/completions/midgram",
      "./usr/share/zsh/vendor-completions/_midgram",
      "./usr/share/fish/vendor_completions.d/midgram.fish",
      "./etc/midgram/midgram.toml",
      "./lib/systemd/system/midgram.service",
      "./lib/systemd/system/midgram-exporter.service",
      "./usr/lib/sysusers.d/midgram.conf",
      "./usr/share/doc/midgram/copyright",
      "./usr/share/doc/midgram/changelog.gz",
      "./usr/share/doc/midgram/examples/midgram.example.toml",
      "./usr/share/doc/midgram/examples/prometheus/midgram.rules.yml",
      "./usr/share/doc/midgram/examples/grafana/midgram-dashboard.json",
    ]
  ) {
    assert.match(list, new RegExp(` ${path.replace(/[.+]/g, "\\$&")}$`, "m"), path);
  }
  assert.equal(run("dpkg-deb", ["--field", deb(VERSION), "Version"]).stdout.trim(), VERSION);
  const conffiles = run("dpkg-deb", ["--info", deb(VERSION), "conffiles"]).stdout;
  assert.equal(conffiles, "/etc/midgram/midgram.toml\n");
  // The copyright names the Node built into the executable, as the build recorded it.
  const copyright = run("sh", [
    "-c",
    `dpkg-deb --fsys-tarfile '${deb(VERSION)}' | tar -xO ./usr/share/doc/midgram/copyright`,
  ]).stdout;
  const runtime = JSON.parse(readFileSync(join(ROOT, "dist/midgram.build.json"), "utf8")).runtime;
  assert.match(
    copyright,
    new RegExp(`Node\\.js ${runtime.replace(/^node /, "").replace(/\./g, "\\.")} runtime`),
  );
});

test("lintian reports no error on the package", {
  skip: skip ?? (has("lintian") ? undefined : "needs lintian (apt-get install lintian)"),
}, () => {
  const r = spawnSync("lintian", ["--fail-on", "error", deb(VERSION)], {
    encoding: "utf8",
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /^E: /m, r.stdout);
});

/** Every file, link and directory under `dir` with a digest of its content. */
function snapshot(dir: string): Map<string, string> {
  const seen = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = lstatSync(path);
      const key = relative(dir, path);
      if (st.isDirectory()) {
        seen.set(key, "dir");
        walk(path);
      } else {
        seen.set(
          key,
          st.isFile() ? createHash("sha256").update(readFileSync(path)).digest("hex") : "other",
        );
      }
    }
  };
  walk(dir);
  return seen;
}

/** The user database files systemd-sysusers writes: the users stay after a purge, as Debian does. */
const USER_DB = new Set([
  "etc/passwd",
  "etc/passwd-",
  "etc/group",
  "etc/group-",
  "etc/shadow",
  "etc/gshadow",
  "etc/.pwd.lock",
]);

test("dpkg installs, upgrades (keeping an edited conffile) and purges it in a throw-away root", {
  skip,
}, () => {
  const root = mkdtempSync(join(tmpdir(), "midgram-dpkg-root-"));
  try {
    mkdirSync(join(root, "etc"));
    mkdirSync(join(root, "var/lib/dpkg/info"), { recursive: true });
    mkdirSync(join(root, "var/lib/dpkg/updates"));
    writeFileSync(join(root, "var/lib/dpkg/status"), "");
    writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    writeFileSync(join(root, "etc/group"), "root:x:0:\n");
    const before = snapshot(root);
    // The dependencies (libc6, systemd-sysusers) are the host's: the root is empty.
    const dpkg = (...args: string[]) =>
      run("dpkg", [`--root=${root}`, "--force-script-chrootless", "--force-depends", ...args]);
    const status = () =>
      spawnSync("dpkg-query", [
        `--admindir=${root}/var/lib/dpkg`,
        "-W",
        "-f=${Status} ${Version}",
        "midgram",
      ], {
        encoding: "utf8",
      }).stdout;

    dpkg("--install", deb(VERSION));
    assert.equal(status(), `install ok installed ${VERSION}`);
    const installed = join(root, "usr/bin/midgram");
    assert.equal(run(installed, ["--version"]).stdout.trim(), VERSION);
    assert.match(readFileSync(join(root, "etc/passwd"), "utf8"), /^midgram-exporter:/m);
    assert.match(readFileSync(join(root, "etc/group"), "utf8"), /^midgram:/m);
    const conffile = join(root, "etc/midgram/midgram.toml");
    assert.equal(
      readFileSync(conffile, "utf8"),
      readFileSync(join(ROOT, "midgram.example.toml"), "utf8"),
    );
    appendFileSync(conffile, "# edited by the operator\n");
    const edited = readFileSync(conffile, "utf8");

    dpkg("--install", deb(UPGRADE));
    assert.equal(status(), `install ok installed ${UPGRADE}`);
    assert.equal(readFileSync(conffile, "utf8"), edited, "the upgrade kept the edited conffile");

    dpkg("--purge", "midgram");
    assert.match(status(), /^(unknown ok not-installed|)/);
    const after = snapshot(root);
    const left = [...after.keys()].filter((k) =>
      !k.startsWith("var/lib/dpkg") && !USER_DB.has(k) && after.get(k) !== before.get(k)
    );
    assert.deepEqual(left, [], "nothing but the user database changed after the purge");
    const gone = [...before.keys()].filter((k) => !after.has(k));
    assert.deepEqual(gone, []);
    // The users database only gained the two system users.
    for (const file of ["etc/passwd", "etc/group"]) {
      const added = readFileSync(join(root, file), "utf8").split("\n")
        .filter((l) => l && !l.startsWith("root:"));
      assert.deepEqual(added.map((l) => l.split(":")[0]).sort(), ["midgram", "midgram-exporter"]);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
