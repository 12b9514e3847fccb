#ifndef CTRAWLZSTD_H
#define CTRAWLZSTD_H

#include <stddef.h>

/* libzstd's streaming buffers (zstd.h's ZSTD_inBuffer and ZSTD_outBuffer), declared with zstd's own field types
   and order. trawl finds ZSTD_createDCtx, ZSTD_DCtx_setParameter, ZSTD_decompressStream, ZSTD_isError,
   ZSTD_getErrorName and ZSTD_freeDCtx with dlsym at run time, in the libzstd libcurl already loaded. */
typedef struct trawl_zstd_in_buffer {
    const void *src;
    size_t size;
    size_t pos;
} trawl_zstd_in_buffer;

typedef struct trawl_zstd_out_buffer {
    void *dst;
    size_t size;
    size_t pos;
} trawl_zstd_out_buffer;

#endif
