#ifndef CTRAWLEPOLL_H
#define CTRAWLEPOLL_H

/* Linux's epoll and eventfd, which Swift's Glibc module leaves out, for the native HTTP/1.1 transport's event
   loop. Nothing on other systems: the transport is built on Linux only. */

#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif

#endif
