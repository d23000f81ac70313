#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H

// Linux-only headers that Swift's Glibc module does not include: the listener's epoll loop and its
// eventfd wake-up (imported by WebhookHTTP only, as an internal import). No wrappers are needed: the
// functions are plain C functions and the flags are enum constants.
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

#endif
