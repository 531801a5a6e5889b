#!/usr/bin/env node
/**
 * The executable entry point on Node (through tsx or a bundle) and Deno.
 *
 * @module
 */
import { main } from "./process.ts";

void main();
