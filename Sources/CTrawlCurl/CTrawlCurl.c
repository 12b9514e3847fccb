#include "CTrawlCurl.h"

int trawl_curl_setopt_long(trawl_curl_setopt_fn fn, void *handle, int option, long value) {
    return fn(handle, option, value);
}

int trawl_curl_setopt_pointer(trawl_curl_setopt_fn fn, void *handle, int option, const void *value) {
    return fn(handle, option, value);
}

int trawl_curl_setopt_function(trawl_curl_setopt_fn fn, void *handle, int option, void (*value)(void)) {
    return fn(handle, option, value);
}

int trawl_curl_setopt_offset(trawl_curl_setopt_fn fn, void *handle, int option, long long value) {
    return fn(handle, option, value);
}

int trawl_curl_getinfo_long(trawl_curl_getinfo_fn fn, void *handle, int info, long *value) {
    return fn(handle, info, value);
}

int trawl_curl_getinfo_pointer(trawl_curl_getinfo_fn fn, void *handle, int info, void **value) {
    return fn(handle, info, value);
}
