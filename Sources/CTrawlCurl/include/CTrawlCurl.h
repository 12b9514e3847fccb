#ifndef CTRAWLCURL_H
#define CTRAWLCURL_H

/* Calls into libcurl's variadic functions through pointers found with dlsym at run time.
   Swift cannot call a C variadic function through a fixed-arity pointer portably (Apple arm64 passes
   variadic arguments on the stack), so these fixed-arity wrappers make the call from C. No curl headers
   are needed: the handles are opaque and the codes are plain ints. */

#include "CTrawlZlib.h"
#include "CTrawlZstd.h"
#include "CTrawlEpoll.h"

typedef int (*trawl_curl_setopt_fn)(void *handle, int option, ...);
typedef int (*trawl_curl_getinfo_fn)(void *handle, int info, ...);

int trawl_curl_setopt_long(trawl_curl_setopt_fn fn, void *handle, int option, long value);
int trawl_curl_setopt_pointer(trawl_curl_setopt_fn fn, void *handle, int option, const void *value);
int trawl_curl_setopt_function(trawl_curl_setopt_fn fn, void *handle, int option, void (*value)(void));
int trawl_curl_setopt_offset(trawl_curl_setopt_fn fn, void *handle, int option, long long value);
int trawl_curl_getinfo_long(trawl_curl_getinfo_fn fn, void *handle, int info, long *value);
int trawl_curl_getinfo_pointer(trawl_curl_getinfo_fn fn, void *handle, int info, void **value);

#endif
