/// trawl's version, sent in the default `User-Agent`.
public let trawlVersion = "0.1.0"

extension Crawler {
    /// Everything that shapes a crawl, grouped by concern. Every field has trawl's default.
    public struct Configuration: Sendable {
        /// How many requests run at once.
        public var concurrency = Concurrency()
        /// When and how attempts are retried.
        public var retry = Retry()
        /// How each request is made.
        public var request = Request()
        /// What the records carry.
        public var output = Output()
        /// How trawl spares servers.
        public var politeness = Politeness()

        /// The defaults.
        public init() {}

        /// The configuration a crawl runs with: every value in its supported range.
        var normalized: Self {
            var clamped = self
            clamped.concurrency = concurrency.normalized
            clamped.politeness = politeness.normalized
            return clamped
        }

        /// Limits on requests in flight, enforced by trawl above the transport.
        ///
        /// A crawl uses each value clamped to its range (as `-c` and `--per-host` allow): 0 or less counts
        /// as 1.
        public struct Concurrency: Sendable {
            /// The most requests in flight overall (`-c`), 1 to 100,000.
            public var total = 32
            /// The most requests in flight on one host, port ignored (`--per-host`), 1 to 100,000 (and at
            /// most `total`).
            public var perHost = 6
            /// The most URLs admitted at once (in flight, queued for a slot or waiting to retry); bounds
            /// memory for any list length; 1 to 16,777,216. `nil`: 16 × `total`, at least 1,024.
            public var maxAdmitted: Int?
            /// The defaults.
            public init() {}

            static let maxTotal = 100_000

            var admittedLimit: Int { maxAdmitted ?? max(1024, 16 * total) }

            /// The connections an HTTP client should allow per host for these limits: no fewer than either, so
            /// the client never holds a request back (trawl holds `perHost` itself).
            public var connectionsPerHost: Int { max(perHost, total) }

            /// Every value in its range.
            var normalized: Self {
                var clamped = self
                clamped.total = min(max(1, total), Self.maxTotal)
                clamped.perHost = min(max(1, perHost), Self.maxTotal)
                clamped.maxAdmitted = maxAdmitted.map { min(max(1, $0), 1 << 24) }
                return clamped
            }
        }

        /// The retry contract.
        public struct Retry: Sendable {
            /// Attempts in all, the first included (`--max-attempts`).
            public var maxAttempts = 4
            /// Statuses that are retried (`--retry-on`).
            public var retryOnStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]
            /// The wait between attempts when the server sends no usable `Retry-After`.
            public var policy: any RetryPolicy = ExponentialBackoff()
            /// A longer `Retry-After` ends the URL with `retry_after_too_long` (`--max-retry-after`).
            public var maxRetryAfter: Duration = .seconds(120)
            /// Judges each 2xx answer; a rejected answer is retried like a retryable status.
            public var evaluate: (any ResponseEvaluator)?

            /// The defaults.
            public init() {}
        }

        /// How each request is made.
        public struct Request: Sendable {
            /// The deadline for one whole attempt: connect, headers, body and redirect hops (`--timeout`).
            public var timeout: Duration = .seconds(30)
            /// Redirects followed within one attempt (`--max-redirects`).
            public var maxRedirects = 10
            /// The cap on decoded body bytes (`--max-body-bytes`).
            public var maxBodyBytes = 10 << 20
            /// Extra request headers (`-H`). A field whose name or value holds CR or LF is not sent (the
            /// transports leave it out rather than let it split the request; the command line refuses it).
            public var headers = HTTPHeaders()
            /// The `User-Agent` header (`--user-agent`); one with CR or LF is not sent either.
            public var userAgent = "trawl/\(trawlVersion)"

            /// The defaults.
            public init() {}
        }

        /// How trawl spares servers: host-wide pauses, adaptive pacing and fixed rate limits.
        public struct Politeness: Sendable {
            /// Whether a `Retry-After` on 429 or 503 pauses the whole host, not only that URL.
            public var pauseHostOnRetryAfter = true
            /// Whether a host that answers 429 or 503 is paced by AIMD on its request rate (`--no-adaptive`
            /// turns it off). Hosts that never push back run at their concurrency cap.
            public var adaptive = true
            /// The most requests per second started on one host (`--rate`), bursts never above it; from 0.01
            /// to 1,000,000 (a crawl clamps other values into that range; NaN counts as 0.01).
            public var ratePerHost: Double?
            /// The most requests per second started overall (`--rate-global`); the range of ``ratePerHost``.
            public var rateGlobal: Double?

            /// The defaults.
            public init() {}

            /// The rates in their range: a rate of 0 would never start a request, an infinite one has no
            /// interval between starts.
            var normalized: Self {
                func clamp(_ rate: Double?) -> Double? {
                    rate.map { $0.isNaN ? 0.01 : min(max($0, 0.01), 1_000_000) }
                }
                var clamped = self
                clamped.ratePerHost = clamp(ratePerHost)
                clamped.rateGlobal = clamp(rateGlobal)
                return clamped
            }
        }

        /// What records carry.
        public struct Output: Sendable {
            /// Whether and how bodies go into records (`--body`).
            public var body = BodyMode.none

            /// The defaults.
            public init() {}
        }

        /// How bodies are written into records.
        public enum BodyMode: String, Sendable, CaseIterable {
            /// No body field.
            case none
            /// The body as UTF-8 text.
            case text
            /// The body as base64.
            case base64
        }
    }
}
