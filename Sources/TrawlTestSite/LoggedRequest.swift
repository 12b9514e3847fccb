/// One request the test site read completely, as it saw it.
public struct LoggedRequest: Sendable {
    /// One request header, exactly as sent (name case preserved).
    public struct Header: Sendable, Hashable {
        /// The header name as sent.
        public var name: String
        /// The header value with surrounding whitespace removed.
        public var value: String
    }

    /// The local address the connection arrived on, e.g. `"127.0.0.2"`.
    public var host: String
    /// The request method, e.g. `"GET"`.
    public var method: String
    /// The request target as sent: path and query.
    public var target: String
    /// The target without its query string.
    public var path: String
    /// The query string without the `?`, or an empty string.
    public var query: String
    /// Every header in the order sent.
    public var headers: [Header]
    /// When the request head had been fully read.
    public var arrival: ContinuousClock.Instant
    /// Identifies the connection; requests on one keep-alive connection share it.
    public var connectionID: Int

    /// The value of the first header named `name` (compared case-insensitively), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}
