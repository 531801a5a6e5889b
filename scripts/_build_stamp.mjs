// What a build records of itself for `midgram --version --verbose`: the git
// commit it was built from (with "-dirty" when the work tree had changes)
// and the build time (SOURCE_DATE_EPOCH when set, for reproducible builds).
// Both build scripts hand it to esbuild as the constant __MIDGRAM_BUILD__.
import { execFileSync } from "node:child_process";
import process from "node:process";

/** The esbuild `define` entry: `{ __MIDGRAM_BUILD__: '{"commit":…,"date":…,"kind":…}' }`. */
export function buildStampDefine(root, kind) {
  let commit = "unknown";
  try {
    const git = (args) =>
      execFileSync("git", ["-C", root, ...args], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      })
        .trim();
    commit = git(["rev-parse", "HEAD"]);
    if (git(["status", "--porcelain", "--untracked-files=no"]) !== "") commit += "-dirty";
  } catch {
    // Not a git checkout (a source tarball): the commit is unknown.
  }
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  const date = new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : Date.now())
    .toISOString().replace(/\.\d{3}Z$/, "Z");
  return { __MIDGRAM_BUILD__: JSON.stringify({ commit, date, kind }) };
}
