import { runTransportSuite } from "./conformance.ts";
import { createMemoryTransport } from "./memory.ts";

runTransportSuite({
  name: "memory",
  open: createMemoryTransport,
  skip: {
    files: "in memory: no files",
    backlog: "in memory a send never waits for its peer",
    connectTimeout: "in memory a connection completes at once or is refused",
  },
});
