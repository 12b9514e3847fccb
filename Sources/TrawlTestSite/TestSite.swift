/// A loopback HTTP/1.1 server with scripted behaviour chosen by the request path, for testing the crawler.
///
/// Every host shares one port, so `http://127.0.0.2:PORT/...` and `http://127.0.0.3:PORT/...` look like separate
/// hosts to a client. The site counts what it sees (requests, peak concurrency) so tests can judge a client by the
/// server's view. It serves from plain threads with blocking sockets and needs no Swift concurrency runtime.
///
/// Paths (query parameters in brackets, defaults after `=`):
/// - `/`, `/page/<any>[?size=2048]`: 200 HTML page of exactly `size` bytes.
/// - `/status/<code>`: that status (200...599) with a short text body.
/// - `/seq/<key>/<c1>,<c2>,...[?retry-after=S]`: the n-th request to this path gets the n-th code, the last repeats.
/// - `/retry-after/<key>[?times=1&status=429&after=1&form=seconds&also=<text>]`: `times` answers of `status` with a
///   `Retry-After` in the given form (`seconds`, `date`, `rfc850`, `asctime`, `garbage`, `past`), then pages;
///   `also` adds a second `Retry-After` field.
/// - `/reset`, `/reset-mid-body[?bytes=1000]`, `/empty-reply`, `/hang`, `/malformed`, `/half-head[?whole-lines=1]`,
///   `/bad-chunked`, `/short-body[?declared=1000&sent=10]`, `/stale-keep-alive[?size=2048]`: connection and
///   framing faults.
/// - `/trailers[?status=200&status-line=0]`: a chunked answer whose trailer section carries `Location`,
///   `Retry-After` and `X-Trailer` fields its header section lacks (after a line `HTTP/1.1 302 Found: x` with
///   `status-line=1`).
/// - `/folded-header`: a page whose `Content-Type` and `X-Folded` fields are folded onto a second line.
/// - `/bad-length[?length=3&also=<text>&sent=3]`: a 200 with the given `Content-Length` field(s) verbatim, then `sent`
///   bytes and close.
/// - `/informational[?lower=0]`: a `103` with a `Link` field, then a page (its status line in lower case with
///   `lower=1`).
/// - `/slow[?delay=500&size=2048]`, `/drip[?bytes=10&interval=100]`: slow answers (milliseconds).
/// - `/big[?bytes=1048576]`, `/chunked[?bytes=1048576]`, `/endless`, `/gzip[?bytes=1048576]`: large bodies.
/// - `/encoded[?coding=gzip&size=2048&members=1&cut=0&framing=length&label=<coding>&status=200]`: a page in a
///   content coding, whole or cut short inside complete framing.
/// - `/redirect/<n>`, `/redirect-loop`, `/redirect-to?to=<url>[&status=302]`: redirects.
/// - `/echo-headers`, `/json?body=<json>`, `/ready/<key>[?after=1]`: JSON answers.
/// - `/content-type[?type=<type>&size=2048]`, `/headers-size[?bytes=65536]`: odd headers.
/// - `/limited/<any>[?rate=5]`: 429 with `Retry-After: 1` beyond `rate` requests per second per host.
/// - Anything else: 404. Any path with `connection=close` in its query closes the connection after answering.
public final class TestSite: Sendable {
    private let server: SiteServer

    /// Binds every host on one shared port and starts serving at once.
    ///
    /// - Parameters:
    ///   - hosts: IPv4 loopback addresses to listen on. Addresses other than 127.0.0.1 work on Linux out of the box;
    ///     macOS needs them added as loopback aliases first.
    ///   - port: The port; 0 picks a free one (retried with fresh ports a few times if another host has it taken).
    /// - Throws: `TestSiteError` when an address is invalid or cannot be bound.
    public init(hosts: [String] = ["127.0.0.1", "127.0.0.2", "127.0.0.3"], port: UInt16 = 0) throws {
        server = try SiteServer(hosts: hosts, port: port)
    }

    deinit {
        server.shutdown()
    }

    /// The port every host listens on.
    public var port: Int { Int(server.port) }

    /// The hosts the site listens on, in the order given.
    public var hosts: [String] { server.hosts }

    /// The absolute URL of `path` on `host`, e.g. `url("/page/a", host: "127.0.0.2")` is
    /// `"http://127.0.0.2:PORT/page/a"`.
    public func url(_ path: String, host: String = "127.0.0.1") -> String {
        let slash = path.hasPrefix("/") ? "" : "/"
        return "http://\(host):\(port)\(slash)\(path)"
    }

    /// Stops accepting, closes every connection (hung ones included), wakes every delayed answer and waits for the
    /// site's threads to finish (at most a few seconds). Safe to call more than once; `deinit` calls it too.
    public func shutdown() {
        server.shutdown()
    }

    /// Every request whose head was fully read, in arrival order.
    public func requests() -> [LoggedRequest] {
        server.statistics.requests()
    }

    /// How many requests arrived, optionally only those for `path` or on `host`.
    ///
    /// A query string on `path` is ignored: requests are counted by their path alone.
    public func requestCount(path: String? = nil, host: String? = nil) -> Int {
        server.statistics.requestCount(path: path, host: host)
    }

    /// The peak number of requests in flight at once on `host`, or on all hosts together when nil.
    ///
    /// A request is in flight from the moment its head was read until its response was written or its connection
    /// closed.
    public func maxInFlight(host: String? = nil) -> Int {
        server.statistics.maxInFlight(host: host)
    }

    /// The number of requests in flight now on `host`, or on all hosts together when nil.
    public func inFlight(host: String? = nil) -> Int {
        server.statistics.inFlight(host: host)
    }

    /// Clears the request log, the per-path counters of the scripted paths (`/seq`, `/retry-after`, `/ready`) and the
    /// rate limiter buckets; peaks restart from the number of requests in flight now.
    public func resetStatistics() {
        server.statistics.reset()
    }
}
