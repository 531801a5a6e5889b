/**
 * The fake registries the golden cases run against, and the one function
 * that plays a request through a server codec: decode → dispatch → encode.
 *
 * @module
 */
import type { Fault, ServerCodec } from "../../dialect.ts";
import type { Params, Value } from "../../value.ts";
import { matchRecipe } from "../match_recipe.ts";

type Outcome = { value: Value } | { fault: Fault };
type Method = { recipes: string[][]; run(values: Record<string, Value>, params: Params): Outcome };

const OPENSIPS: Record<string, Method> = {
  version: { recipes: [[]], run: () => ({ value: { Server: "OpenSIPS (3.6.8 (x86_64/linux))" } }) },
  cache_store: {
    recipes: [["system", "attr", "value"], ["system", "attr", "value", "expire"]],
    run: () => ({ value: "OK" }),
  },
  cache_fetch: {
    recipes: [["system", "attr"]],
    run: () => ({ fault: { kind: "command", code: 400, message: "Value not found" } }),
  },
  ps: {
    recipes: [[]],
    run: () => ({
      value: {
        Processes: Array.from({ length: 2000 }, (_, i) => ({
          ID: i,
          PID: 10000 + i,
          Type: "SIP receiver udp:127.0.0.1:5060",
        })),
      },
    }),
  },
};

const KAMAILIO: Record<string, Method> = {
  "core.echo": {
    recipes: [],
    run: (_v, params) => ({ value: [...(params.kind === "positional" ? params.values : [])] }),
  },
};

/** Plays one request through `codec` against the fake registry of its flavour. */
export function play(codec: ServerCodec, request: Uint8Array): Uint8Array | null {
  const registry = codec.flavour === "opensips" ? OPENSIPS : KAMAILIO;
  const decoded = codec.decode(
    request,
    (name) => Object.hasOwn(registry, name) ? { noInput: false } : undefined,
  );
  if (decoded.kind === "answer") return decoded.reply;
  const method = registry[decoded.call.method];
  let values: Record<string, Value> = {};
  if (codec.flavour === "opensips") {
    const m = matchRecipe(decoded.call.params, method.recipes);
    if (!m.ok) return codec.encodeFault(decoded.call, { kind: "invalid-params", detail: m.detail });
    values = m.values;
  }
  const outcome = method.run(values, decoded.call.params);
  return "fault" in outcome
    ? codec.encodeFault(decoded.call, outcome.fault)
    : codec.encodeResult(decoded.call, outcome.value);
}
