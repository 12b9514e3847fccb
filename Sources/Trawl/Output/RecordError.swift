/// Why a URL failed: the `error` object of a record.
public struct RecordError: Sendable, Equatable, Error {
    /// The machine-readable reason.
    public var kind: ErrorKind
    /// A sentence for people; may quote server-controlled text, so escape it before printing to a terminal.
    public var message: String
    /// The status of the answer the failure cut short: set by a transport when a response's header block had
    /// arrived whole before its body failed (past the body cap, a timeout or a reset mid-body). The crawl puts it in
    /// the record's `status`, which names the last status received; nil when no status line came, or it came in a
    /// header block that never ended.
    public var status: Int?

    /// Creates an error with a kind, a message and, when a response's header block had arrived, its status.
    public init(_ kind: ErrorKind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }
}
