/// The closed set of machine-readable reasons a URL can fail, as written to `error.kind` in each record.
///
/// The raw values are stable: scripts filter records on them.
public enum ErrorKind: String, Sendable, CaseIterable, Codable {
    /// The input line is not an absolute URL with a host.
    case invalidURL = "invalid_url"
    /// The input line, or a redirect target, is a URL with a scheme other than `http` or `https`.
    case unsupportedScheme = "unsupported_scheme"
    /// The host name could not be resolved.
    case dns
    /// The TCP connection could not be made (refused, unreachable, proxy unreachable).
    case connect
    /// The whole attempt (connect, headers and body) did not finish within the timeout.
    case timeout
    /// The connection broke: reset, empty reply, truncated or malformed response.
    case network
    /// The TLS handshake or certificate verification failed.
    case tls
    /// The server answered with a status that is not a success and was not (or no longer) retried.
    case status
    /// More redirects than allowed, or a redirect loop.
    case tooManyRedirects = "too_many_redirects"
    /// The decoded body grew past the configured cap; the transfer was stopped.
    case bodyTooLarge = "body_too_large"
    /// The server asked to wait longer than the configured maximum Retry-After.
    case retryAfterTooLong = "retry_after_too_long"
    /// Every attempt was answered, but no answer passed the response validation.
    case validation

    /// Whether an attempt that failed this way is worth trying again.
    public var isRetryable: Bool {
        switch self {
        case .dns, .connect, .timeout, .network: true
        default: false
        }
    }
}
