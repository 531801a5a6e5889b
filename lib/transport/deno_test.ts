import { runTransportSuite } from "./conformance.ts";
import { createDenoTransport } from "./deno.ts";

runTransportSuite({
  name: "deno",
  open: createDenoTransport,
  skip: { all: "Deno" in globalThis ? undefined : "runs under Deno only" },
});
