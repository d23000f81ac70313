#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H

// Linux-only headers and _GNU_SOURCE declarations that Swift's Glibc module does not export: epoll and
// eventfd for the listener's loops, accept4, pipe2, thread names and the CPU affinity count. Imported by
// SystemSupport only, as an internal import; every other target uses SystemSupport's Swift wrappers.
// epoll and eventfd need no wrappers: the functions are plain C functions and the flags are enum constants.
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

// accept4 is declared by <sys/socket.h> only under _GNU_SOURCE, which Swift's Glibc module does not set.
// Wrapped so the flags (SOCK_NONBLOCK | SOCK_CLOEXEC) are set atomically with the accept.
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);
static inline int CLinux_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags) {
    return accept4(fd, addr, addrlen, flags);
}

// The CPUs this process may run on (its affinity mask, as `taskset` or a container's cpuset sets it), which
// sysconf(_SC_NPROCESSORS_ONLN) ignores. sched_getaffinity and CPU_COUNT need _GNU_SOURCE too; the mask is
// read as bytes, so no cpu_set_t macro is needed. Returns 0 when the mask cannot be read.
extern int sched_getaffinity(int pid, unsigned long size, void *mask);
static inline int CLinux_affinityCPUCount(void) {
    unsigned char mask[1024 / 8];
    for (unsigned long i = 0; i < sizeof(mask); i++) mask[i] = 0;
    if (sched_getaffinity(0, sizeof(mask), mask) != 0) return 0;
    int count = 0;
    for (unsigned long i = 0; i < sizeof(mask); i++) count += __builtin_popcount(mask[i]);
    return count;
}

// pipe2 is declared by <unistd.h> only under _GNU_SOURCE. Wrapped so that a pipe is close-on-exec from the
// moment it exists (O_CLOEXEC): with pipe() and a later fcntl(FD_CLOEXEC), a child spawned by another thread
// in between would inherit it, which only a process-wide lock around every pipe and spawn could prevent.
extern int pipe2(int fds[2], int flags);
static inline int CLinux_pipe2(int fds[2], int flags) {
    return pipe2(fds, flags);
}

// pthread_setname_np is declared by <pthread.h> only under _GNU_SOURCE. Names the calling thread (what `top -H`,
// `ps -L` and debuggers show). The kernel keeps at most 15 bytes and refuses longer names (ERANGE), so the name
// is cut to 15 bytes here.
extern int pthread_setname_np(pthread_t thread, const char *name);
static inline int CLinux_setCurrentThreadName(const char *name) {
    char shortened[16];
    unsigned long i = 0;
    for (; i < sizeof(shortened) - 1 && name[i] != 0; i++) shortened[i] = name[i];
    shortened[i] = 0;
    return pthread_setname_np(pthread_self(), shortened);
}

// posix_spawn_file_actions_addchdir_np (glibc 2.29) is declared by <spawn.h> only under _GNU_SOURCE. The child
// changes directory between fork and exec, so the parent's working directory never changes (a chdir in the
// parent would move every thread's relative paths).
#include <spawn.h>
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
static inline int CLinux_posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

#endif
