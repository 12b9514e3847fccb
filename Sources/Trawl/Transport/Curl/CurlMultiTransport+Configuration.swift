extension CurlMultiTransport {
    /// How the libcurl transport connects: connection limits, TLS verification, proxies and HTTP version.
    public struct Configuration: Sendable, Equatable {
        /// The HTTP versions the transport offers.
        public enum HTTPVersion: Sendable, Equatable {
            /// HTTP/1.1 only.
            case http1
            /// HTTP/2 offered by ALPN on `https` (falling back to 1.1 when the server declines), HTTP/1.1 on
            /// plain `http`; requests to one host share a connection as HTTP/2 streams.
            case http2
        }

        /// libcurl's per-host connection limit; keep it at or above trawl's own per-host cap, because requests
        /// beyond it wait inside libcurl with their timeout running. Over HTTP/2 trawl's cap counts streams.
        public var maxConnectionsPerHost = 64
        /// The limit on open connections, and the size of the connection cache.
        public var maxTotalConnections = 256
        /// A PEM file of CA certificates trusted in addition to the system's (`--cacert`); nil for the system's
        /// only.
        ///
        /// libcurl's `CURLOPT_CAINFO` replaces the built-in bundle file, so the system's CAs are kept through
        /// ``systemCADirectory`` (`CURLOPT_CAPATH`). Where the system has no hashed CA directory, the file
        /// replaces the system's CAs instead of adding to them.
        public var caBundlePath: String?
        /// The directory of hashed system CA certificates searched beside ``caBundlePath``; nil for libcurl's
        /// built-in directory, else `/etc/ssl/certs` when it exists.
        public var systemCADirectory: String?
        /// Whether certificates and host names are verified. `false` is `--insecure`: any certificate is accepted.
        public var verifiesCertificates = true
        /// The proxies; the default is none (the environment is not read here: see ``ProxySettings/environment(_:)``).
        public var proxy = ProxySettings()
        /// The HTTP versions offered.
        public var httpVersion = HTTPVersion.http2
        /// How many event-loop threads run requests, each with its own multi handle, easy handles and connection
        /// cache; a crawl runs one lane of its URLs on each. One loop moves tens of thousands of requests a
        /// second; more pay when its thread is busy all the time (a fast server close by). There are never more
        /// loops than ``maxTotalConnections``.
        public var eventLoops = 1

        /// The defaults: verification on, no proxy, HTTP/2 over TLS.
        public init() {}

        /// Sets the connection limits for a crawl of `concurrency`.
        public mutating func size(for concurrency: Crawler.Configuration.Concurrency) {
            maxConnectionsPerHost = concurrency.connectionsPerHost
            maxTotalConnections = concurrency.total
        }
    }
}
