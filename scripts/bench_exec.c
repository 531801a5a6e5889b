/*
 * Runs a command once and prints what it cost, for scripts/bench_startup.mjs:
 *
 *   bench_exec COMMAND [ARG...]
 *   -> "WALL_US USER_US SYS_US MAXRSS_KIB STATUS" on stdout
 *
 * The wall time runs from just before fork() to the return of wait4(), which
 * blocks until the child exits (no polling, no pipes to drain); user and
 * system time and the peak RSS are the child's own, from wait4's rusage.
 * The child's stdout and stderr go to /dev/null. STATUS is the exit status,
 * or 128 + the signal that ended it, or 127 when it could not be started.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long micros(struct timeval tv) {
  return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_exec COMMAND [ARG...]\n");
    return 2;
  }
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t pid = fork();
  if (pid < 0) {
    perror("bench_exec: fork");
    return 1;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
    }
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int status;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) {
    perror("bench_exec: wait4");
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  long long wall = (long long)(end.tv_sec - start.tv_sec) * 1000000 +
                   (end.tv_nsec - start.tv_nsec) / 1000;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  printf("%lld %lld %lld %ld %d\n", wall, micros(usage.ru_utime), micros(usage.ru_stime),
         usage.ru_maxrss, code);
  return 0;
}
