/**
 * `version`, `uptime`, `pwd`, `arg`, `ps`: what the server is and where it runs,
 * in the layout of OpenSIPS 2.4's `mi_core.c`.
 *
 * @module
 */
import { node } from "../../protocol/mi/mod.ts";
import type { BuiltinHost } from "./host.ts";
import type { MiCommandSet } from "./mi_set.ts";
import { ctime } from "./_ctime.ts";

/** Registers the information commands. */
export function registerInfo(
  set: MiCommandSet,
  server: BuiltinHost,
  enabled: (name: string) => boolean,
): void {
  const version = server.version;
  const add = (name: string, help: string, handler: Parameters<MiCommandSet["register"]>[1]) => {
    if (enabled(name)) set.register(name, handler, { noInput: true, help });
  };
  add(
    "version",
    "prints the version string of the running server",
    () => [node("Server", version)],
  );
  add("uptime", "prints when the server started and for how long it runs", () => {
    const now = server.host.now();
    const seconds = Math.max(0, Math.floor((now.getTime() - server.startedAt.getTime()) / 1000));
    return [
      node("Now", ctime(now)),
      node("Up since", ctime(server.startedAt)),
      node("Up time", `${seconds} [sec]`),
    ];
  });
  add("pwd", "prints the working directory of the server", () => [node("WD", server.host.cwd())]);
  add(
    "arg",
    "returns the full list of arguments used at startup",
    () => server.host.argv.map((a) => node(null, a)),
  );
  add("ps", "lists the processes of the server", () => [
    node("Process", null, {
      attributes: { ID: "0", PID: String(server.host.pid), Type: "midgram" },
    }),
  ]);
}
