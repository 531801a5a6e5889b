import { test } from "node:test";
import assert from "node:assert/strict";
import { formatReply } from "./format_reply.ts";
import { parseReply } from "./parse_reply.ts";
import { errorReply, FIXED_REPLIES, node, okReply } from "./reply_builders.ts";
import { MidgramError } from "../../errors.ts";

test("formatReply() writes OpenSIPS's version reply byte for byte", () => {
  assert.equal(
    formatReply(okReply([node("Server", "OpenSIPS (2.4.11 (x86_64/linux))")])),
    "200 OK\nServer:: OpenSIPS (2.4.11 (x86_64/linux))\n\n",
  );
});

test("formatReply() writes a named node with attributes and no value with two spaces", () => {
  const ps = okReply([
    node("Process", null, { attributes: { ID: "0", PID: "12219", Type: "attendant" } }),
  ]);
  assert.equal(formatReply(ps), "200 OK\nProcess::  ID=0 PID=12219 Type=attendant\n\n");
});

test("formatReply() lists bare values and indents children by the indent string", () => {
  const tree = okReply([
    node(null, "get_statistics"),
    node("Dialog", "1", { children: [node("State", "4", { children: [node(null, "deep")] })] }),
  ]);
  assert.equal(
    formatReply(tree),
    "200 OK\nget_statistics\nDialog:: 1\n\tState:: 4\n\t\tdeep\n\n",
  );
  assert.equal(
    formatReply(tree, { indent: "  " }),
    "200 OK\nget_statistics\nDialog:: 1\n  State:: 4\n    deep\n\n",
  );
  assert.equal(
    formatReply(tree, { indent: "" }),
    "200 OK\nget_statistics\nDialog:: 1\nState:: 4\ndeep\n\n",
  );
});

test("formatReply() writes error trees with the final empty line, fixed replies without", () => {
  assert.equal(
    formatReply(errorReply(400, "Too few or too many arguments")),
    "400 Too few or too many arguments\n\n",
  );
  assert.equal(
    formatReply({ code: 400, reason: "parse_error", nodes: [], bare: true }),
    FIXED_REPLIES.parseError,
  );
  assert.equal(FIXED_REPLIES.commandNotAvailable, "500 command not available\n");
});

test("formatReply() refuses trees parseReply could not read back", () => {
  const refused = [
    okReply([node(null, "two\nlines")]),
    okReply([node(null, null)]),
    okReply([node(null, "a:: b")]),
    okReply([node(null, "\tindented")]),
    okReply([node("a::b", "x")]),
    { code: 42, reason: "x", nodes: [], bare: false },
  ];
  for (const reply of refused) {
    assert.throws(
      () => formatReply(reply),
      (e: unknown) => e instanceof MidgramError && e.code === "unrepresentable",
    );
  }
  assert.throws(
    () => formatReply(okReply([node(null, "x".repeat(70000))])),
    (e: unknown) => e instanceof MidgramError && e.code === "reply-too-large",
  );
});

test("parseReply() reads fixed replies as bare and rejects cut or malformed ones", () => {
  assert.deepEqual(parseReply("500 command not available\n"), {
    code: 500,
    reason: "command not available",
    nodes: [],
    bare: true,
  });
  const code = (text: string) => {
    try {
      parseReply(text);
      return "ok";
    } catch (e) {
      return e instanceof MidgramError ? e.code : "other";
    }
  };
  assert.equal(code("200 OK\nServer:: x\n"), "truncated-reply");
  assert.equal(code("200 OK"), "truncated-reply");
  assert.equal(code("hello\n"), "reply-syntax");
  assert.equal(code("200 OK\n\t\tdeep\n\n"), "reply-syntax");
  assert.equal(code("200 OK\n\nextra"), "reply-syntax");
  assert.equal(code("200 OK\n\n"), "ok");
});

test("parseReply() splits attributes only when asked", () => {
  const text = "200 OK\nProcess::  ID=0 PID=12219 Type=attendant\n\n";
  assert.equal(parseReply(text).nodes[0].value, " ID=0 PID=12219 Type=attendant");
  assert.deepEqual(parseReply(text, { attributes: true }).nodes[0], {
    name: "Process",
    value: null,
    attributes: [{ name: "ID", value: "0" }, { name: "PID", value: "12219" }, {
      name: "Type",
      value: "attendant",
    }],
    children: [],
  });
});

test("formatReply() refuses an unnamed value whose attributes make it read as a name (fuzz counterexample)", () => {
  assert.throws(
    () =>
      formatReply({
        code: 100,
        reason: "",
        nodes: [{ name: null, value: "::", attributes: [{ name: "A", value: "" }], children: [] }],
        bare: false,
      }),
    /holds ':: ' and would read as a name/,
  );
});
