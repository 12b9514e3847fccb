/// An error starting the test site.
///
/// A struct wrapping a code, so new codes can be added without breaking callers.
public struct TestSiteError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable machine-readable value.
    public struct Code: Hashable, Sendable {
        /// A stable machine-readable name for the code.
        public let kind: String

        /// A host string that is not an IPv4 address.
        public static let invalidHost = Code(kind: "invalid_host")
        /// The port is already taken on one of the hosts, even after retrying with fresh ports.
        public static let addressInUse = Code(kind: "address_in_use")
        /// Any other socket call failed.
        public static let socket = Code(kind: "socket")
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation, including the failing call and `errno` text.
    public let message: String

    /// A stable machine-readable name for the error, the same as `code.kind`.
    public var kind: String { code.kind }

    /// A human-readable description.
    public var description: String { "\(code.kind): \(message)" }

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
