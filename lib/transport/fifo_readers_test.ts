import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fifoReader } from "./fifo_readers.ts";
import { mkfifo } from "./fifo.ts";

const linux = process.platform === "linux" ? false : "reads Linux's /proc";

test(
  "fifoReader() finds the process that holds a FIFO open for reading",
  { skip: linux },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-fifo-reader-"));
    try {
      const path = join(dir, "f.fifo");
      await mkfifo(path, 0o600);
      assert.equal(fifoReader(path), null, "nobody reads it yet");
      // Opened for writing only: not a reader.
      const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        const found = fifoReader(path);
        assert.equal(found?.pid, process.pid);
        assert.ok(found!.program.length > 0);
      } finally {
        closeSync(reader);
      }
      assert.equal(fifoReader(path), null, "a writer alone is no reader");
      closeSync(writer);
      writeFileSync(join(dir, "plain"), "x");
      assert.equal(fifoReader(join(dir, "plain")), null, "not a FIFO");
      assert.equal(fifoReader(join(dir, "absent")), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
