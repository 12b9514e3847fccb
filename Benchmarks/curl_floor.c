// The libcurl floor: the least a fetcher on this libcurl can do per URL, as a yardstick for trawl.
//
// One thread, one multi handle, C reused easy handles, curl_multi_perform + curl_multi_poll, completions
// drained and handles refilled in the same turn, one JSON line per URL into a buffer written once at the end.
// Each easy handle gets the options trawl's libcurl transport sets (no signals, header and write callbacks,
// bodies handed over still coded, protocols, timeouts, its request headers (Accept-Encoding among them), per-host and
// total connection limits, the URL as a parsed CURLU handle set anew for each request),
// so the gap between this and trawl is what trawl does per URL on top of libcurl: no scheduling, retries,
// redirects, progress, input streaming or de-duplication here.
//
// With a fourth argument `socket` it drives the same transfers with epoll + curl_multi_socket_action instead
// (Linux only), the other way libcurl offers to run a multi handle, to compare the two loops.
//
//   cc -O2 -o curl_floor curl_floor.c -l:libcurl.so.4
//   ./curl_floor URLS_FILE CONCURRENCY OUT_FILE [socket]    (exit 1 unless every URL got a 200)
//
// curl's development headers are not needed: the few declarations and option codes are below (they are ABI).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

typedef void CURL;
typedef void CURLM;
typedef struct {
  int msg;
  CURL *easy_handle;
  union {
    void *whatever;
    int result;
  } data;
} CURLMsg;

extern int curl_global_init(long flags);
extern CURL *curl_easy_init(void);
extern int curl_easy_setopt(CURL *easy, int option, ...);
extern int curl_easy_getinfo(CURL *easy, int info, ...);
extern CURLM *curl_multi_init(void);
extern int curl_multi_setopt(CURLM *multi, int option, ...);
extern int curl_multi_add_handle(CURLM *multi, CURL *easy);
extern int curl_multi_remove_handle(CURLM *multi, CURL *easy);
extern int curl_multi_perform(CURLM *multi, int *running);
extern int curl_multi_poll(CURLM *multi, void *extra, unsigned count, int timeout_ms, int *numfds);
extern CURLMsg *curl_multi_info_read(CURLM *multi, int *queued);
extern int curl_multi_socket_action(CURLM *multi, int socket, int events, int *running);
extern int curl_multi_assign(CURLM *multi, int socket, void *data);
extern void *curl_slist_append(void *list, const char *line);
extern void *curl_url(void);
extern int curl_url_set(void *url, int part, const char *content, unsigned flags);

enum {
  OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_ERRORBUFFER = 10010, OPT_WRITEFUNCTION = 20011,
  OPT_HTTPHEADER = 10023, OPT_HEADERDATA = 10029, OPT_NOPROGRESS = 43, OPT_FOLLOWLOCATION = 52,
  OPT_HEADERFUNCTION = 20079, OPT_HTTPGET = 80, OPT_NOSIGNAL = 99, OPT_HTTP_CONTENT_DECODING = 158,
  OPT_PRIVATE = 10103, OPT_TIMEOUT_MS = 155, OPT_CONNECTTIMEOUT_MS = 156, OPT_PROTOCOLS_STR = 10318,
  OPT_HTTP_VERSION = 84, OPT_NOPROXY = 10177, OPT_PROXY = 10004, OPT_CURLU = 10282,
  UPART_URL = 0, U_NON_SUPPORT_SCHEME = 1 << 3, U_GUESS_SCHEME = 1 << 9,
  INFO_RESPONSE_CODE = 0x200002, INFO_PRIVATE = 0x100015,
  MOPT_MAXCONNECTS = 6, MOPT_MAX_HOST_CONNECTIONS = 7, MOPT_MAX_TOTAL_CONNECTIONS = 13,
  MOPT_SOCKETFUNCTION = 20001, MOPT_SOCKETDATA = 10002, MOPT_TIMERFUNCTION = 20004,
  MSG_DONE = 1, POLL_IN = 1, POLL_OUT = 2, POLL_REMOVE = 4, SOCKET_TIMEOUT = -1,
  CSELECT_IN = 1, CSELECT_OUT = 2, CSELECT_ERR = 4,
};

// Socket mode: libcurl says which sockets to watch (socket callback) and when to call it back (timer callback).
static int epoll_fd = -1;
static long timer_ms = -1;

static int watch_socket(CURL *easy, int socket, int what, void *multi, void *assigned) {
  (void)easy;
  if (what == POLL_REMOVE) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, socket, NULL);
    return 0;
  }
  struct epoll_event event = {.events = (what & POLL_IN ? EPOLLIN : 0) | (what & POLL_OUT ? EPOLLOUT : 0)};
  event.data.fd = socket;
  if (assigned) {
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, socket, &event);
  } else {
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, socket, &event);
    curl_multi_assign(multi, socket, (void *)1);
  }
  return 0;
}

static int set_timer(CURLM *multi, long milliseconds, void *user) {
  (void)multi; (void)user;
  timer_ms = milliseconds;
  return 0;
}

// One turn of the socket loop: wait for ready sockets (or libcurl's timer) and tell libcurl about each.
static void socket_turn(CURLM *multi) {
  struct epoll_event events[256];
  int running = 0, ready = 0;
  if (timer_ms != 0) ready = epoll_wait(epoll_fd, events, 256, timer_ms < 0 ? 1000 : (int)timer_ms);
  if (ready <= 0) {
    timer_ms = -1;
    curl_multi_socket_action(multi, SOCKET_TIMEOUT, 0, &running);
  }
  for (int i = 0; i < ready; i++) {
    int mask = (events[i].events & EPOLLIN ? CSELECT_IN : 0) | (events[i].events & EPOLLOUT ? CSELECT_OUT : 0) |
               (events[i].events & (EPOLLERR | EPOLLHUP) ? CSELECT_ERR : 0);
    curl_multi_socket_action(multi, events[i].data.fd, mask, &running);
  }
}

static size_t discard_body(char *data, size_t size, size_t count, void *user) {
  (void)data; (void)user;
  return size * count;
}

// Looks at each header line, as trawl's callback does (it keeps the fields).
static size_t look_at_header(char *data, size_t size, size_t count, void *user) {
  size_t *colons = user;
  if (memchr(data, ':', size * count)) (*colons)++;
  return size * count;
}

// An easy handle's own: the URL it runs now and the parsed-URL handle it was given (CURLOPT_CURLU).
struct slot {
  size_t index;
  void *parsed;
};

// What each request sets on its (reused) handle, as trawl's transport does: the URL, its deadline.
static void assign(CURL *easy, struct slot *slot, char **urls, size_t index) {
  slot->index = index;
  curl_url_set(slot->parsed, UPART_URL, urls[index], U_NON_SUPPORT_SCHEME | U_GUESS_SCHEME);
  curl_easy_setopt(easy, OPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(easy, OPT_CONNECTTIMEOUT_MS, 30000L);
}

int main(int argc, char **argv) {
  if (argc != 4 && !(argc == 5 && strcmp(argv[4], "socket") == 0)) {
    fprintf(stderr, "usage: %s URLS_FILE CONCURRENCY OUT_FILE [socket]\n", argv[0]);
    return 2;
  }
  int socket_mode = argc == 5;
  long concurrency = atol(argv[2]);
  FILE *input = fopen(argv[1], "r");
  FILE *output = fopen(argv[3], "w");
  if (!input || !output || concurrency < 1) {
    fprintf(stderr, "curl_floor: cannot open the files, or a bad concurrency\n");
    return 2;
  }
  size_t capacity = 1024, count = 0;
  char **urls = malloc(capacity * sizeof *urls);
  char line[8192];
  while (fgets(line, sizeof line, input)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0]) continue;
    if (count == capacity) urls = realloc(urls, (capacity *= 2) * sizeof *urls);
    urls[count++] = strdup(line);
  }
  fclose(input);

  size_t out_capacity = 256 * count + 1024, out_length = 0;
  char *out = malloc(out_capacity);
  size_t colons = 0, next = 0, done = 0, failed = 0;
  char error_buffer[256];
  curl_global_init(3);
  CURLM *multi = curl_multi_init();
  curl_multi_setopt(multi, MOPT_MAX_HOST_CONNECTIONS, concurrency);
  curl_multi_setopt(multi, MOPT_MAX_TOTAL_CONNECTIONS, concurrency);
  curl_multi_setopt(multi, MOPT_MAXCONNECTS, concurrency);
  if (socket_mode) {
    epoll_fd = epoll_create1(0);
    curl_multi_setopt(multi, MOPT_SOCKETFUNCTION, watch_socket);
    curl_multi_setopt(multi, MOPT_SOCKETDATA, multi);
    curl_multi_setopt(multi, MOPT_TIMERFUNCTION, set_timer);
  }
  void *headers = curl_slist_append(NULL, "User-Agent: curl-floor/1");
  // As trawl does: it asks for the codings it decodes itself (nginx sends this page plain).
  headers = curl_slist_append(headers, "Accept-Encoding: gzip, deflate, br, zstd");
  struct slot *slots = calloc((size_t)concurrency, sizeof *slots);

  for (long i = 0; i < concurrency && next < count; i++) {
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, OPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, OPT_NOPROGRESS, 1L);
    curl_easy_setopt(easy, OPT_HTTPGET, 1L);
    curl_easy_setopt(easy, OPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, OPT_HTTP_CONTENT_DECODING, 0L);
    curl_easy_setopt(easy, OPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, OPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(easy, OPT_HTTP_VERSION, 4L);
    curl_easy_setopt(easy, OPT_NOPROXY, "");
    curl_easy_setopt(easy, OPT_PROXY, "");
    curl_easy_setopt(easy, OPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, OPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(easy, OPT_WRITEDATA, NULL);
    curl_easy_setopt(easy, OPT_HEADERFUNCTION, look_at_header);
    curl_easy_setopt(easy, OPT_HEADERDATA, &colons);
    slots[i].parsed = curl_url();
    curl_easy_setopt(easy, OPT_CURLU, slots[i].parsed);
    curl_easy_setopt(easy, OPT_PRIVATE, &slots[i]);
    assign(easy, &slots[i], urls, next++);
    curl_multi_add_handle(multi, easy);
  }

  while (done < count) {
    int running = 0, queued = 0;
    if (socket_mode) {
      socket_turn(multi);
    } else {
      curl_multi_perform(multi, &running);
    }
    CURLMsg *message;
    while ((message = curl_multi_info_read(multi, &queued))) {
      if (message->msg != MSG_DONE) continue;
      CURL *easy = message->easy_handle;
      int result = message->data.result;
      long status = 0;
      struct slot *slot = NULL;
      curl_easy_getinfo(easy, INFO_RESPONSE_CODE, &status);
      curl_easy_getinfo(easy, INFO_PRIVATE, &slot);
      int ok = result == 0 && status == 200;
      if (!ok) failed++;
      out_length += snprintf(out + out_length, out_capacity - out_length,
                             "{\"url\":\"%s\",\"ok\":%s,\"status\":%ld}\n", urls[slot->index],
                             ok ? "true" : "false", status);
      done++;
      curl_multi_remove_handle(multi, easy);
      if (next < count) {
        assign(easy, slot, urls, next++);
        curl_multi_add_handle(multi, easy);
      }
    }
    if (done < count && !socket_mode) curl_multi_poll(multi, NULL, 0, 1000, NULL);
  }
  fwrite(out, 1, out_length, output);
  fclose(output);
  if (failed) fprintf(stderr, "curl_floor: %zu of %zu URLs failed\n", failed, count);
  return failed ? 1 : 0;
}
