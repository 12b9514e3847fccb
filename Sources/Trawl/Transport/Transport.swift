import Foundation

/// Performs one HTTP GET exchange: the seam between trawl's scheduler and an HTTP client.
///
/// A transport reports facts (status, headers, body, error), never decisions: it does not retry, does not
/// follow redirects (it returns the 3xx answer as it is) and does not interpret statuses. It must:
/// - finish or fail within `request.timeout`, counted over the whole exchange (connect, headers and body);
/// - stop the transfer as soon as the decoded body passes `request.maxBodyBytes`, failing with
///   ``ErrorKind/bodyTooLarge``;
/// - map failures to ``ErrorKind/dns``, ``ErrorKind/connect``, ``ErrorKind/timeout``, ``ErrorKind/network``
///   or ``ErrorKind/tls``, with ``RecordError/status`` set when the failure came after a whole header block
///   (so the record still names the status the server answered);
/// - stop the exchange promptly when the calling task is cancelled.
///
/// `TransportConformance` in the tests is the suite every transport must pass.
public protocol Transport: Sendable {
    /// Performs `request` once.
    nonisolated(nonsending) func perform(_ request: TransportRequest) async throws(RecordError) -> TransportResponse

    /// Releases the transport's resources at the end of a run.
    func shutdown() async

    /// Executors the crawl's tasks should prefer, when the transport runs event loops they can share: the
    /// crawl runs one lane of its URLs on each. By default ``taskExecutor``'s, if any: none, for the global
    /// executor.
    var taskExecutors: [any TaskExecutor] { get }

    /// The one executor of trawl's first releases, before ``taskExecutors``; deprecated: implement
    /// `taskExecutors`. A transport that still offers it gets its lane there rather than being ignored.
    var taskExecutor: (any TaskExecutor)? { get }
}

extension Transport {
    /// ``taskExecutor``'s executor, if the transport offers one; else none: tasks run on the global executor.
    public var taskExecutors: [any TaskExecutor] { taskExecutor.map { [$0] } ?? [] }

    /// None.
    public var taskExecutor: (any TaskExecutor)? { nil }
}

/// One GET request for a ``Transport``.
public struct TransportRequest: Sendable {
    /// The URL to fetch (http or https).
    public var url: URL
    /// Request header fields, `User-Agent` included.
    public var headers: HTTPHeaders
    /// The deadline for the whole exchange.
    public var timeout: Duration
    /// The most decoded body bytes accepted.
    public var maxBodyBytes: Int
    /// Whether the body's bytes are returned, or only counted.
    public var keepBody: Bool

    /// Creates a request.
    public init(
        url: URL, headers: HTTPHeaders = HTTPHeaders(), timeout: Duration = .seconds(30),
        maxBodyBytes: Int = 10 << 20, keepBody: Bool = false
    ) {
        self.url = url
        self.headers = headers
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
        self.keepBody = keepBody
    }
}

/// What a server answered to one ``TransportRequest``.
public struct TransportResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The response header fields.
    public var headers: HTTPHeaders
    /// The decoded body, when the request asked for it.
    public var body: [UInt8]
    /// How many decoded body bytes arrived.
    public var bodyBytes: Int

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], bodyBytes: Int? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyBytes = bodyBytes ?? body.count
    }
}
