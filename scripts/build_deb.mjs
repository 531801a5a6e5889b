// Builds dist/midgram_VERSION_amd64.deb with dpkg-deb, offline, from what
// `npm run build` made (dist/midgram, dist/man):
//
//   node scripts/build_deb.mjs [--version V] [--out DIR] [--compress xz|gzip] [--level N]
//
// The package holds the binary in /usr/bin, the manual pages, completions for
// bash, zsh and fish (written by the binary itself), /etc/midgram/midgram.toml
// as a conffile (the documented example), both systemd units (disabled until
// the operator enables them) with a sysusers.d file for their users, the
// examples (configuration, Prometheus rules, Grafana dashboard), a
// machine-readable copyright file and a changelog. The binary is hard-linked
// into the staging tree, not copied. Maintainer scripts honour $DPKG_ROOT, so
// the package installs into a throw-away root (scripts/package_deb_test.ts).
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
const BINARY = join(DIST, "midgram");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const UNITS = ["midgram.service", "midgram-exporter.service"];

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}

const version = option("version", PACKAGE.version);
const out = option("out", DIST);
const compress = option("compress", "xz");
const level = option("level", undefined);
if (!/^[0-9][A-Za-z0-9.+~-]*$/.test(version)) fail(`Invalid Debian version "${version}"`);
if (!["xz", "gzip", "none", "zstd"].includes(compress)) fail(`Unknown compression "${compress}"`);
for (const needed of [BINARY, join(DIST, "man")]) {
  if (!existsSync(needed)) fail(`Missing "${needed}": run npm run build first`);
}
const maintainer = process.env.DEBEMAIL
  ? `${process.env.DEBFULLNAME ?? "midgram maintainers"} <${process.env.DEBEMAIL}>`
  : "midgram maintainers <midgram@users.noreply.github.com>";
// Reproducible: the changelog's date is the build's SOURCE_DATE_EPOCH, else the last commit's.
const epoch = Number(
  process.env.SOURCE_DATE_EPOCH ??
    (spawnSync("git", ["log", "-1", "--format=%ct"], { cwd: ROOT, encoding: "utf8" }).stdout
      .trim() || Math.floor(Date.now() / 1000)),
);

const year = new Date(epoch * 1000).getUTCFullYear();

function fail(message) {
  console.error(`build_deb: ${message}`);
  process.exit(1);
}

const work = join(out, `.deb-${process.pid}`);
const tree = join(work, "root");
rmSync(work, { recursive: true, force: true });
const put = (path, content, mode = 0o644) => {
  const file = join(tree, path);
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, content);
  chmodSync(file, mode);
};
const gz = (text) => gzipSync(text, { level: 9 });

try {
  // The binary: a hard link where dist/ and the output share a file system.
  mkdirSync(join(tree, "usr/bin"), { recursive: true });
  try {
    linkSync(BINARY, join(tree, "usr/bin/midgram"));
  } catch {
    copyFileSync(BINARY, join(tree, "usr/bin/midgram"));
  }
  chmodSync(join(tree, "usr/bin/midgram"), 0o755);

  for (const section of readdirSync(join(DIST, "man"))) {
    for (const page of readdirSync(join(DIST, "man", section))) {
      put(
        `usr/share/man/${section}/${page}.gz`,
        gz(readFileSync(join(DIST, "man", section, page))),
      );
    }
  }

  const completion = (shell) =>
    execFileSync(BINARY, ["completions", shell], {
      env: { ...process.env, MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1" },
    });
  put("usr/share/bash-completion/completions/midgram", completion("bash"));
  put("usr/share/zsh/vendor-completions/_midgram", completion("zsh"));
  put("usr/share/fish/vendor_completions.d/midgram.fish", completion("fish"));

  put("etc/midgram/midgram.toml", readFileSync(join(ROOT, "midgram.example.toml")));
  for (const unit of UNITS) {
    const text = readFileSync(join(ROOT, "scripts/systemd", unit), "utf8")
      .replaceAll("/usr/local/bin/midgram", "/usr/bin/midgram");
    put(`lib/systemd/system/${unit}`, text);
  }
  put(
    "usr/lib/sysusers.d/midgram.conf",
    "# The users of midgram's systemd units (see midgram.service and midgram-exporter.service).\n" +
      'u midgram - "midgram management server" /nonexistent\n' +
      'u midgram-exporter - "midgram Prometheus exporter" /nonexistent\n',
  );

  const doc = "usr/share/doc/midgram";
  put(`${doc}/README.md.gz`, gz(readFileSync(join(ROOT, "README.md"))));
  put(`${doc}/examples/midgram.example.toml`, readFileSync(join(ROOT, "midgram.example.toml")));
  for (const unit of UNITS) {
    put(`${doc}/examples/systemd/${unit}`, readFileSync(join(ROOT, "scripts/systemd", unit)));
  }
  for (
    const [from, to] of [
      ["scripts/monitoring/midgram.rules.yml", "prometheus/midgram.rules.yml"],
      ["scripts/monitoring/midgram.rules.test.yml", "prometheus/midgram.rules.test.yml"],
      ["scripts/monitoring/grafana-dashboard.json", "grafana/midgram-dashboard.json"],
    ]
  ) {
    if (existsSync(join(ROOT, from))) put(`${doc}/examples/${to}`, readFileSync(join(ROOT, from)));
  }
  put(`${doc}/copyright`, copyright());
  put(`${doc}/changelog.gz`, gz(changelog()));
  put(
    "usr/share/lintian/overrides/midgram",
    readFileSync(join(ROOT, "scripts/debian/lintian-overrides"), "utf8"),
  );

  // Control files.
  const control = join(tree, "DEBIAN");
  mkdirSync(control, { mode: 0o755 });
  const installedKiB = Number(
    execFileSync("du", ["-s", "-k", "--apparent-size", "--exclude=DEBIAN", tree], {
      encoding: "utf8",
    }).split(/\s/)[0],
  );
  writeFileSync(
    join(control, "control"),
    [
      "Package: midgram",
      `Version: ${version}`,
      "Architecture: amd64",
      `Maintainer: ${maintainer}`,
      `Installed-Size: ${installedKiB}`,
      `Depends: ${depends()}, systemd-sysusers`,
      "Section: net",
      "Priority: optional",
      "Homepage: https://www.npmjs.com/package/midgram",
      "Description: management interfaces of OpenSIPS and Kamailio in one tool",
      " midgram speaks the three dialects of the management interfaces of",
      " OpenSIPS and Kamailio (text MI, JSON-RPC and binrpc) on every transport",
      " they offer: a client for shell scripts, a drop-in for kamcmd, a",
      " Prometheus exporter (with a systemd unit, alert rules and a Grafana",
      " dashboard), a stand-in server, a validator of request files and a",
      " fuzzer. One executable with the Node.js runtime built in.",
      "",
    ].join("\n"),
  );
  writeFileSync(join(control, "conffiles"), "/etc/midgram/midgram.toml\n");
  for (const script of ["postinst", "prerm", "postrm"]) {
    copyFileSync(join(ROOT, "scripts/debian", script), join(control, script));
    chmodSync(join(control, script), 0o755);
  }
  const files = execFileSync("find", [
    ".",
    "-type",
    "f",
    "!",
    "-path",
    "./DEBIAN/*",
    "-printf",
    "%P\n",
  ], {
    cwd: tree,
    encoding: "utf8",
  }).trim().split("\n").sort();
  writeFileSync(
    join(control, "md5sums"),
    execFileSync("md5sum", ["--", ...files], { cwd: tree, encoding: "utf8", maxBuffer: 1 << 24 }),
  );
  chmodSync(join(control, "md5sums"), 0o644);

  const deb = join(out, `midgram_${version}_amd64.deb`);
  const result = spawnSync("dpkg-deb", [
    "--root-owner-group",
    `-Z${compress}`,
    ...(level === undefined ? [] : [`-z${level}`]),
    "--build",
    tree,
    `${deb}.partial`,
  ], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
  if (result.status !== 0) fail(`dpkg-deb failed (${result.error?.message ?? result.status})`);
  execFileSync("mv", ["-f", `${deb}.partial`, deb]);
  console.log(`built ${deb}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The libraries the binary links, as Debian dependencies (dpkg-shlibdeps where it works). */
function depends() {
  const dir = join(work, "shlibs");
  mkdirSync(join(dir, "debian"), { recursive: true });
  writeFileSync(
    join(dir, "debian/control"),
    "Source: midgram\n\nPackage: midgram\nArchitecture: amd64\n",
  );
  const r = spawnSync("dpkg-shlibdeps", ["-O", "-e", join(tree, "usr/bin/midgram")], {
    cwd: dir,
    encoding: "utf8",
  });
  const m = /^shlibs:Depends=(.*)$/m.exec(r.stdout ?? "");
  // Without dpkg-dev: what dpkg-shlibdeps says on Debian 12 for a Node 20 executable.
  return m ? m[1] : "libc6 (>= 2.34), libgcc-s1 (>= 3.0), libstdc++6 (>= 12)";
}

/** debian/copyright in the machine-readable format, with the licences of what the binary embeds. */
function copyright() {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
  const embedded = Object.entries(lock.packages)
    .filter(([path, p]) => path && !p.dev && !p.devOptional)
    .map(([path, p]) => ({ name: path.replace(/^node_modules\//, ""), path, ...p }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const licenses = new Set(["MIT", ...embedded.map((p) => p.license)]);
  // The Node inside the executable (recorded by the build), not the one running this script.
  const node = JSON.parse(readFileSync(join(DIST, "midgram.build.json"), "utf8")).runtime
    .replace(/^node /, "");
  const text = (t) =>
    t.trim().replace(/\n\s*\n(\s*\n)+/g, "\n\n").split("\n")
      .map((l) => (l.trim() === "" ? " ." : ` ${l.trimEnd()}`)).join("\n");
  // A package's own copyright line (from its licence file), else its contributors.
  const notice = (p) => {
    const file = readdirSync(join(ROOT, p.path)).find((f) => /^licen[cs]e/i.test(f));
    const line = file && readFileSync(join(ROOT, p.path, file), "utf8").split("\n")
      .map((l) => l.trim()).find((l) => /^copyright\b.*(\(c\)|©|\d{4})/i.test(l));
    return line
      ? `${line.replace(/^copyright\s*(\(c\)|©)?\s*/i, "")} (${p.name})`
      : `${p.name} contributors`;
  };
  const licenseText = (name) => {
    if (name === "Apache-2.0") {
      return " On Debian systems, the full text of the Apache License, Version 2.0,\n" +
        " is in /usr/share/common-licenses/Apache-2.0.";
    }
    // The first package of that licence that ships its text.
    const holder = embedded.find((p) =>
      p.license === name && readdirSync(join(ROOT, p.path)).some((f) => /^licen[cs]e/i.test(f))
    );
    if (!holder) fail(`No licence text for ${name}`);
    const file = readdirSync(join(ROOT, holder.path)).find((f) => /^licen[cs]e/i.test(f));
    // The licence's own text, without the first holder's copyright line.
    return text(
      readFileSync(join(ROOT, holder.path, file), "utf8")
        .split("\n").filter((l) =>
          !/^\s*(\(c\)|©|copyright\b.*(\(c\)|©|\d{4}))/i.test(l) &&
          !/^\(?(The )?(MIT|ISC) License\)?$/i.test(l.trim())
        )
        .join("\n"),
    );
  };
  return [
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
    "Upstream-Name: midgram",
    "Source: https://www.npmjs.com/package/midgram",
    "",
    "Files: *",
    `Copyright: ${year} midgram contributors`,
    "License: MIT",
    "",
    "Files: usr/bin/midgram",
    `Copyright: ${year} midgram contributors`,
    ...embedded.map((p) => ` ${notice(p)}`),
    ` Node.js ${node} contributors`,
    `License: ${[...licenses].join(" and ")}`,
    "Comment: The executable is a Node.js single executable application: the",
    ` Node.js ${node} runtime (MIT; its own components, such as V8, libuv,`,
    " OpenSSL and ICU, are under the licences listed in its LICENSE file,",
    ` https://github.com/nodejs/node/blob/${node}/LICENSE), with midgram and its`,
    " runtime dependencies bundled in where used (the production tree of",
    " package-lock.json): " + embedded.map((p) => `${p.name} (${p.license})`).join(", ") + ".",
    "",
    ...[...licenses].flatMap((name) => [`License: ${name}`, licenseText(name), ""]),
  ].join("\n").trimEnd() + "\n";
}

/** The Debian changelog: one entry for this version. */
function changelog() {
  const date = new Date(epoch * 1000).toUTCString().replace(/GMT$/, "+0000");
  return `midgram (${version}) unstable; urgency=medium\n\n` +
    `  * midgram ${version}, packaged from the npm release.\n\n` +
    ` -- ${maintainer}  ${date}\n`;
}
