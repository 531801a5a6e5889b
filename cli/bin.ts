#!/usr/bin/env node
/**
 * The executable entry point on Node (from source, whose types Node strips itself, or a bundle) and Deno.
 *
 * The first thing it does is to take SIGUSR1 away from Node's handler, which
 * would start the inspector (see `hardenProcess()`); the CLI's modules load
 * only after that, so there is no window while they do.
 *
 * @module
 */
import process from "node:process";

process.on("SIGUSR1", () => {});
void import("./process.ts").then(({ main }) => main());
