import { runTransportSuite } from "./conformance.ts";
import { createNodeTransport } from "./node.ts";

runTransportSuite({
  name: "node",
  open: createNodeTransport,
  skip: { all: "Deno" in globalThis ? "unix-dgram cannot load under Deno" : undefined },
});
