/// Why a URL failed: the `error` object of a record.
public struct RecordError: Sendable, Equatable, Error {
    /// The machine-readable reason.
    public var kind: ErrorKind
    /// A sentence for people; may quote server-controlled text, so escape it before printing to a terminal.
    public var message: String

    /// Creates an error with a kind and a message.
    public init(_ kind: ErrorKind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
