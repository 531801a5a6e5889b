/**
 * The fuzzing engines, which need fast-check: `midgram fuzz` loads this
 * module when it runs one, so that every other command (and the single
 * executable's start-up snapshot) goes without fast-check.
 *
 * @module
 */
export { runGenerative } from "./generative.ts";
export { runRpcGenerative } from "./rpc_generative.ts";
export { runLiveRpc } from "./live_rpc.ts";
export { runLive } from "./live.ts";
export { runDifferential, UNKNOWN_METHOD } from "./differential.ts";
