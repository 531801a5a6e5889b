/**
 * `which`, `help`, `kill`, `log_level`.
 *
 * @module
 */
import { node } from "../../protocol/mi/mod.ts";
import { BAD_PARAMETER, MiReplyError, TOO_FEW_OR_TOO_MANY } from "../mi_reply_error.ts";
import type { BuiltinHost } from "./host.ts";
import type { MiCommandSet } from "./mi_set.ts";

/** Registers the control commands. */
export function registerControl(
  set: MiCommandSet,
  server: BuiltinHost,
  enabled: (name: string) => boolean,
): void {
  if (enabled("which")) {
    set.register("which", (_args, ctx) => ctx.commands().map((c) => node(null, c)), {
      noInput: true,
      help: "lists all available MI commands",
    });
  }
  if (enabled("help")) {
    set.register("help", (args, ctx) => {
      if (args.length !== 1 || !args[0].value) throw TOO_FEW_OR_TOO_MANY();
      const text = ctx.help(args[0].value);
      if (text === undefined) throw new MiReplyError(404, "unknown MI command");
      return [node("Help", text || "no help available")];
    }, { help: "prints information about the usage of a command: help COMMAND" });
  }
  if (enabled("kill")) {
    set.register("kill", (_args, ctx) => {
      // Reply first, then stop (the real server dies before it can answer).
      ctx.afterReply(() => server.host.onKill?.());
    }, { noInput: true, help: "terminates the server" });
  }
  if (enabled("log_level")) {
    set.register("log_level", (args) => {
      if (args.length === 0) {
        return [
          node("Process", null, {
            attributes: [
              { name: "PID", value: String(server.host.pid) },
              { name: "Log level", value: String(server.host.logLevel?.() ?? 3) },
              { name: "Type", value: "midgram" },
            ],
          }),
        ];
      }
      if (args.length > 2) throw TOO_FEW_OR_TOO_MANY();
      const level = args[0].value ?? "";
      if (!/^-?\d+$/.test(level)) throw BAD_PARAMETER();
      if (args.length === 2) {
        if (args[1].value !== String(server.host.pid)) throw BAD_PARAMETER();
      }
      server.host.onLogLevel?.(Number(level));
      return [
        node(args.length === 2 ? "New log level" : "New global log level", String(Number(level))),
      ];
    }, { help: "gets or sets the log level: log_level [LEVEL [PID]]" });
  }
}
