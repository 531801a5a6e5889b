import { test } from "node:test";
import assert from "node:assert/strict";
import { warmUp } from "./_warm_up.ts";

// The single executable's build runs this before taking its start-up
// snapshot; a request that fails there fails the build (it warns, and the build stops on the warning).
test("warm-up: every request of the snapshot warm-up succeeds", async () => {
  assert.deepEqual(await warmUp(), [0, 0, 0, 0, 0]);
});
