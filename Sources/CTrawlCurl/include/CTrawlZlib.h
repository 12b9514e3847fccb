#ifndef CTRAWLZLIB_H
#define CTRAWLZLIB_H

/* zlib's stream state, declared here with zlib's own field types and order (zlib.h's z_stream: uInt is
   unsigned int, uLong unsigned long, Bytef unsigned char), so its layout is what the zlib that libcurl already
   loaded expects on every platform. trawl finds inflateInit2_, inflate, inflateReset and inflateEnd with dlsym
   at run time and needs no zlib headers. */
typedef struct trawl_z_stream {
    const unsigned char *next_in;
    unsigned int avail_in;
    unsigned long total_in;
    unsigned char *next_out;
    unsigned int avail_out;
    unsigned long total_out;
    const char *msg;
    void *state;
    void *(*zalloc)(void *opaque, unsigned int items, unsigned int size);
    void (*zfree)(void *opaque, void *address);
    void *opaque;
    int data_type;
    unsigned long adler;
    unsigned long reserved;
} trawl_z_stream;

#endif
