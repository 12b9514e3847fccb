/// The outcome of one distinct input URL: one NDJSON line.
///
/// Field names in the JSON form are stable: `url`, `ok`, `status`, `attempts`, `final_url`, `content_type`,
/// `bytes`, `elapsed_ms`, `error` and, when bodies are requested, `body`.
public struct Record: Sendable, Equatable {
    /// The URL as given (trimmed), with any password redacted.
    public var url: String
    /// Whether the URL was fetched successfully.
    public var ok: Bool
    /// The last HTTP status received, if any.
    public var status: Int?
    /// How many attempts were made (0 for input that was never fetched).
    public var attempts: Int
    /// The URL that answered last, after redirects.
    public var finalURL: String?
    /// The `Content-Type` of the last answer.
    public var contentType: String?
    /// Decoded body bytes received in the last answer.
    public var bytes: Int
    /// Milliseconds from the first attempt to the record, retry waits included.
    public var elapsedMilliseconds: Int
    /// Why the URL failed, or `nil` when `ok`.
    public var error: RecordError?
    /// The body, when the run asked for bodies.
    public var body: Body?

    /// A body carried in a record.
    public enum Body: Sendable, Equatable {
        /// UTF-8 text (invalid sequences replaced).
        case text(String)
        /// Base64 of the raw bytes.
        case base64(String)
    }

    /// Creates a record.
    public init(
        url: String, ok: Bool, status: Int? = nil, attempts: Int, finalURL: String? = nil,
        contentType: String? = nil, bytes: Int = 0, elapsedMilliseconds: Int = 0, error: RecordError? = nil,
        body: Body? = nil
    ) {
        self.url = url
        self.ok = ok
        self.status = status
        self.attempts = attempts
        self.finalURL = finalURL
        self.contentType = contentType
        self.bytes = bytes
        self.elapsedMilliseconds = elapsedMilliseconds
        self.error = error
        self.body = body
    }

    /// A record for an input line that was never fetched.
    public static func rejected(_ line: String, _ error: RecordError) -> Record {
        Record(url: line, ok: false, attempts: 0, error: error)
    }
}
