/*
 * An experiment, not part of midgram: a Node-API addon that serves a
 * datagram socket (UNIX datagram or UDP) in one of two ways, so that
 * scripts/experiments/bench_mmsg.mjs can compare them in one run:
 *
 *   batch 1   one recvfrom per wake-up, one call into JavaScript with that
 *             datagram, one sendto for its reply (what `serve` does today);
 *   batch N   one recvmmsg per wake-up that drains up to N waiting
 *             datagrams, one call into JavaScript with all of them, one
 *             sendmmsg for all the replies.
 *
 * Written for midgram; no code from elsewhere. Linux only (recvmmsg,
 * sendmmsg). Built by the experiment's script with
 *   cc -O2 -shared -fPIC -I<node>/include/node -o mmsg.node mmsg.c
 *
 * JavaScript API:
 *   bindUnix(path) -> fd          a non-blocking bound UNIX datagram socket
 *   bindUdp(port) -> [fd, port]   a non-blocking UDP socket on 127.0.0.1
 *   serve(fd, batch, handler)     handler(Buffer[]) -> (Buffer|null)[]
 *   stats(fd) -> [wakeups, datagrams, replies]
 *   close(fd)                     stops serving and closes the socket
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#define MAX_BATCH 256
#define MAX_DATAGRAM 65536

struct server {
  uv_poll_t poll;
  int fd;
  int batch;
  napi_env env;
  napi_ref handler;
  napi_async_context context;
  double wakeups, datagrams, replies;
  unsigned char *buffers; /* batch * MAX_DATAGRAM */
  struct mmsghdr in[MAX_BATCH], out[MAX_BATCH];
  struct iovec in_iov[MAX_BATCH], out_iov[MAX_BATCH];
  struct sockaddr_storage from[MAX_BATCH];
  struct server *next;
};

static struct server *servers = NULL;

static struct server *find(int fd) {
  for (struct server *s = servers; s; s = s->next)
    if (s->fd == fd) return s;
  return NULL;
}

static napi_value throw_errno(napi_env env, const char *what) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int arg_int(napi_env env, napi_value v) {
  int32_t n = -1;
  napi_get_value_int32(env, v, &n);
  return n;
}

static napi_value make_int(napi_env env, double n) {
  napi_value v;
  napi_create_double(env, n, &v);
  return v;
}

static napi_value BindUnix(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct sockaddr_un un;
  memset(&un, 0, sizeof un);
  un.sun_family = AF_UNIX;
  size_t len = 0;
  napi_get_value_string_utf8(env, argv[0], un.sun_path, sizeof un.sun_path, &len);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket");
  unlink(un.sun_path);
  if (bind(fd, (struct sockaddr *)&un, sizeof un) < 0) {
    close(fd);
    return throw_errno(env, "bind");
  }
  return make_int(env, fd);
}

static napi_value BindUdp(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct sockaddr_in in;
  memset(&in, 0, sizeof in);
  in.sin_family = AF_INET;
  in.sin_port = htons((uint16_t)arg_int(env, argv[0]));
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket");
  socklen_t len = sizeof in;
  if (bind(fd, (struct sockaddr *)&in, sizeof in) < 0 ||
      getsockname(fd, (struct sockaddr *)&in, &len) < 0) {
    close(fd);
    return throw_errno(env, "bind");
  }
  napi_value result;
  napi_create_array_with_length(env, 2, &result);
  napi_set_element(env, result, 0, make_int(env, fd));
  napi_set_element(env, result, 1, make_int(env, ntohs(in.sin_port)));
  return result;
}

/* Receives what one wake-up gives: 1 datagram (batch 1) or up to `batch`. */
static int receive(struct server *s) {
  if (s->batch == 1) {
    socklen_t fromlen = sizeof s->from[0];
    ssize_t n = recvfrom(s->fd, s->buffers, MAX_DATAGRAM, MSG_DONTWAIT,
                         (struct sockaddr *)&s->from[0], &fromlen);
    if (n < 0) return -1;
    s->in[0].msg_len = (unsigned)n;
    s->in[0].msg_hdr.msg_namelen = fromlen;
    return 1;
  }
  for (int i = 0; i < s->batch; i++) {
    s->in_iov[i].iov_base = s->buffers + (size_t)i * MAX_DATAGRAM;
    s->in_iov[i].iov_len = MAX_DATAGRAM;
    memset(&s->in[i].msg_hdr, 0, sizeof s->in[i].msg_hdr);
    s->in[i].msg_hdr.msg_iov = &s->in_iov[i];
    s->in[i].msg_hdr.msg_iovlen = 1;
    s->in[i].msg_hdr.msg_name = &s->from[i];
    s->in[i].msg_hdr.msg_namelen = sizeof s->from[i];
  }
  return recvmmsg(s->fd, s->in, (unsigned)s->batch, MSG_DONTWAIT, NULL);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  struct server *s = handle->data;
  if (status < 0) return;
  int n = receive(s);
  if (n <= 0) return; /* EAGAIN: someone else took it, or nothing */
  s->wakeups++;
  s->datagrams += n;
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value requests, handler, global, replies;
  napi_create_array_with_length(env, (size_t)n, &requests);
  for (int i = 0; i < n; i++) {
    napi_value buffer;
    napi_create_buffer_copy(env, s->in[i].msg_len, s->buffers + (size_t)i * MAX_DATAGRAM, NULL,
                            &buffer);
    napi_set_element(env, requests, (uint32_t)i, buffer);
  }
  napi_get_reference_value(env, s->handler, &handler);
  napi_get_global(env, &global);
  /* Like every callback Node makes into JavaScript from its loop. */
  if (napi_make_callback(env, s->context, global, handler, 1, &requests, &replies) != napi_ok) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_close_handle_scope(env, scope);
    return;
  }
  int m = 0;
  for (int i = 0; i < n; i++) {
    napi_value reply;
    bool is_buffer = false;
    if (napi_get_element(env, replies, (uint32_t)i, &reply) != napi_ok) break;
    napi_is_buffer(env, reply, &is_buffer);
    if (!is_buffer) continue;
    void *data;
    size_t length;
    napi_get_buffer_info(env, reply, &data, &length);
    /* The buffers stay alive in this handle scope until sent. */
    s->out_iov[m].iov_base = data;
    s->out_iov[m].iov_len = length;
    memset(&s->out[m].msg_hdr, 0, sizeof s->out[m].msg_hdr);
    s->out[m].msg_hdr.msg_iov = &s->out_iov[m];
    s->out[m].msg_hdr.msg_iovlen = 1;
    s->out[m].msg_hdr.msg_name = &s->from[i];
    s->out[m].msg_hdr.msg_namelen = s->batch == 1 ? s->in[0].msg_hdr.msg_namelen
                                                  : s->in[i].msg_hdr.msg_namelen;
    m++;
  }
  if (s->batch == 1) {
    if (m == 1 &&
        sendto(s->fd, s->out_iov[0].iov_base, s->out_iov[0].iov_len, MSG_DONTWAIT,
               (struct sockaddr *)s->out[0].msg_hdr.msg_name, s->out[0].msg_hdr.msg_namelen) >= 0)
      s->replies++;
  } else {
    int sent = 0;
    while (sent < m) { /* a reply that cannot go (full peer buffer) is dropped */
      int k = sendmmsg(s->fd, s->out + sent, (unsigned)(m - sent), MSG_DONTWAIT);
      if (k <= 0) {
        sent++;
        continue;
      }
      s->replies += k;
      sent += k;
    }
  }
  napi_close_handle_scope(env, scope);
}

static napi_value Serve(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = arg_int(env, argv[0]);
  int batch = arg_int(env, argv[1]);
  if (fd < 0 || batch < 1 || batch > MAX_BATCH || find(fd)) {
    napi_throw_range_error(env, NULL, "bad fd or batch");
    return NULL;
  }
  struct server *s = calloc(1, sizeof *s);
  s->buffers = malloc((size_t)batch * MAX_DATAGRAM);
  if (!s->buffers) {
    free(s);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  s->fd = fd;
  s->batch = batch;
  s->env = env;
  napi_create_reference(env, argv[2], 1, &s->handler);
  napi_value name;
  napi_create_string_utf8(env, "mmsg", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->context);
  struct uv_loop_s *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &s->poll, fd);
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  s->next = servers;
  servers = s;
  return NULL;
}

static napi_value Stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct server *s = find(arg_int(env, argv[0]));
  napi_value result;
  napi_create_array_with_length(env, 3, &result);
  napi_set_element(env, result, 0, make_int(env, s ? s->wakeups : 0));
  napi_set_element(env, result, 1, make_int(env, s ? s->datagrams : 0));
  napi_set_element(env, result, 2, make_int(env, s ? s->replies : 0));
  return result;
}

static void on_closed(uv_handle_t *handle) {
  struct server *s = handle->data;
  close(s->fd);
  free(s->buffers);
  free(s);
}

static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = arg_int(env, argv[0]);
  struct server **p = &servers;
  while (*p && (*p)->fd != fd) p = &(*p)->next;
  if (!*p) {
    if (fd >= 0) close(fd);
    return NULL;
  }
  struct server *s = *p;
  *p = s->next;
  uv_poll_stop(&s->poll);
  napi_delete_reference(env, s->handler);
  napi_async_destroy(env, s->context);
  uv_close((uv_handle_t *)&s->poll, on_closed);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  struct { const char *name; napi_callback fn; } fns[] = {
    { "bindUnix", BindUnix }, { "bindUdp", BindUdp }, { "serve", Serve },
    { "stats", Stats },       { "close", Close },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, fns[i].name, fn);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
