import { test } from "node:test";
import assert from "node:assert/strict";
import { argvOf, execHandler } from "./exec_command.ts";
import { MiReplyError } from "../lib/server/mi_reply_error.ts";
import type { HandlerContext } from "../lib/server/types.ts";

const context = (): HandlerContext => ({
  method: "x",
  dialect: "mi",
  flavour: "opensips-2.4",
  args: [],
  from: null,
  signal: new AbortController().signal,
  commands: () => [],
  help: () => undefined,
  afterReply: () => {},
});
const sh = (script: string) => ["/bin/sh", "-c", script, "sh"];

test("argvOf() passes bare values as they are and name::value as name=value", () => {
  assert.deepEqual(
    argvOf([{ name: null, value: "a b" }, { name: "k", value: "v" }, { name: "e", value: "" }]),
    [
      "a b",
      "k=v",
      "e=",
    ],
  );
});

test("execHandler() turns output lines into nodes and exit 0 into 200 OK, with no shell", async () => {
  const handler = execHandler({
    exec: sh('printf "%s\\n" "$@"; echo; echo last'),
    timeoutMs: 5000,
    maxOutput: 1000,
  });
  const reply = await handler(
    [{ name: null, value: "one; rm -rf /" }, { name: "k", value: "v" }],
    context(),
  );
  assert.deepEqual(reply, {
    code: 200,
    reason: "OK",
    bare: false,
    nodes: ["one; rm -rf /", "k=v", "last"].map((v) => ({
      name: null,
      value: v,
      attributes: [],
      children: [],
    })),
  });
});

test("execHandler() answers 500 with the last stderr line on a non-zero exit", async () => {
  const reply = await execHandler({
    exec: sh("echo partial; echo oops >&2; exit 3"),
    timeoutMs: 5000,
    maxOutput: 1000,
  })(
    [],
    context(),
  );
  assert.equal((reply as { code: number }).code, 500);
  assert.equal((reply as { reason: string }).reason, "oops");
  const silent = await execHandler({ exec: sh("exit 7"), timeoutMs: 5000, maxOutput: 1000 })(
    [],
    context(),
  );
  assert.equal((silent as { reason: string }).reason, "command exited with status 7");
});

test("execHandler() kills a program past its time or output limit", async () => {
  await assert.rejects(
    Promise.resolve(
      execHandler({ exec: ["/bin/sleep", "10"], timeoutMs: 100, maxOutput: 1000 })([], context()),
    ),
    (e: unknown) => e instanceof MiReplyError && e.reason === "command timed out",
  );
  await assert.rejects(
    Promise.resolve(
      execHandler({ exec: sh("yes"), timeoutMs: 5000, maxOutput: 1000 })([], context()),
    ),
    (e: unknown) => e instanceof MiReplyError && e.reason === "command output too large",
  );
  await assert.rejects(
    Promise.resolve(
      execHandler({ exec: ["/nonexistent/program"], timeoutMs: 1000, maxOutput: 10 })(
        [],
        context(),
      ),
    ),
    (e: unknown) =>
      e instanceof MiReplyError && /cannot run \/nonexistent\/program: ENOENT/.test(e.reason),
  );
});
