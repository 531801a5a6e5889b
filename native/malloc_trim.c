/*
 * midgram's own Node-API addon: one function, trim(), that asks the C
 * library to hand back the free pages in the middle of its heap
 * (glibc's malloc_trim). A flood of datagrams leaves megabytes of them, which
 * glibc keeps; Node has no way to call it otherwise. On a C library without
 * malloc_trim, trim() does nothing and returns false.
 *
 * Built by scripts/build_binary.mjs with `cc` against Node's headers, and
 * carried in the single executable as an asset.
 */
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  bool released = false;
#if defined(__GLIBC__)
  released = malloc_trim(0) == 1;
#endif
  napi_value result;
  napi_get_boolean(env, released, &result);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, Trim, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "trim", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
