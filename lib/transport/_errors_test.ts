import { test } from "node:test";
import assert from "node:assert/strict";
import { osError } from "./_errors.ts";

test("osError() maps stream and FIFO errors of both runtimes, naming the address", () => {
  const ctl = { kind: "unix-stream", path: "/run/ctl" } as const;
  const cases: [unknown, string, RegExp][] = [
    [
      { code: "EACCES" },
      "permission-denied",
      /Cannot connect to "unixs:\/run\/ctl": permission denied/,
    ],
    [{ name: "PermissionDenied" }, "permission-denied", /permission denied/],
    [{ code: "ECONNREFUSED" }, "connection-refused", /nothing serves this path/],
    [{ code: "ENOENT" }, "not-found", /no such socket/],
    [{ code: "EPROTOTYPE" }, "not-a-socket", /datagram socket, not a stream socket/],
    [{ code: "ECONNRESET" }, "closed", /peer closed the connection/],
    [{ message: "Broken pipe (os error 32)" }, "closed", /peer closed/],
  ];
  for (const [error, code, pattern] of cases) {
    const mapped = osError(error, "connect", ctl);
    assert.equal(mapped.code, code, mapped.message);
    assert.match(mapped.message, pattern);
  }
  const fifo = osError({ code: "ENOENT" }, "open", { kind: "fifo", path: "/tmp/f" });
  assert.equal(
    fifo.message,
    'Cannot open "fifo:/tmp/f": no such FIFO: is the server running and is the path right?',
  );
  const tcp = osError({ code: "EACCES" }, "bind", { kind: "tcp", host: "0.0.0.0", port: 80 });
  assert.match(tcp.message, /ports below 1024 need privilege/);
});
