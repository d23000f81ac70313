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

#endif
