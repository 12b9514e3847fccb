import Foundation

/// A validated input URL: absolute, `http` or `https`, with a host.
public struct CrawlURL: Sendable, Hashable {
    /// The trimmed input line, as the record's `url` (password redacted).
    public let original: String
    /// The parsed URL that is fetched.
    public let url: URL
    /// The lower-cased host name, port ignored: the unit of per-host limits.
    public let host: String

    /// Validates `line` (already trimmed).
    /// - Throws: ``RecordError`` with kind `invalid_url` or `unsupported_scheme`.
    public init(validating line: String) throws(RecordError) {
        let (url, host) = try Self.parse(line)
        self.original = Self.redactingPassword(line)
        self.url = url
        self.host = host
    }

    /// Parses an absolute http(s) URL, as for input lines and redirect targets.
    static func parse(_ text: String) throws(RecordError) -> (URL, String) {
        // The checks before Foundation's parse run over the contiguous bytes: the same loops over
        // `String.UTF8View` cost several times the instructions, once per input line.
        var text = text
        if text.withUTF8({ $0.contains(where: { $0 < 0x21 || $0 == 0x7F }) }) {
            throw RecordError(.invalidURL, "the URL contains a space or a control character")
        }
        let prefix = text.withUTF8 { bytes -> (scheme: String, slashes: Bool)? in
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon != 0,
                bytes[..<colon].allSatisfy({ byte in
                    (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                        || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                        || byte == UInt8(ascii: ".")
                })
            else { return nil }
            let scheme = lowercased(UnsafeBufferPointer(rebasing: bytes[..<colon]))
            let slashes = bytes[(colon + 1)...].starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")])
            return (scheme, slashes)
        }
        guard let (scheme, slashes) = prefix else {
            throw RecordError(.invalidURL, "not an absolute URL (no scheme)")
        }
        guard let url = URL(string: text) else {
            throw RecordError(.invalidURL, "not a valid URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw RecordError(.unsupportedScheme, "scheme '\(scheme)' is not supported (only http and https)")
        }
        guard slashes else {
            throw RecordError(.invalidURL, "not an absolute URL (no '//' after the scheme)")
        }
        guard var host = url.host, !host.isEmpty else {
            throw RecordError(.invalidURL, "the URL has no host")
        }
        if let port = url.port, !(1...65535).contains(port) {
            throw RecordError(.invalidURL, "port \(port) is out of range")
        }
        return (url, host.withUTF8 { lowercased($0) })
    }

    /// `bytes` lowered as `lowercased()` does, without its Unicode machinery when they are ASCII (as a host
    /// nearly always is: Foundation gives an IDN host in punycode; only a percent-encoded one comes back decoded).
    private static func lowercased(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self).lowercased() }
        let upper: ClosedRange<UInt8> = 0x41...0x5A
        guard bytes.contains(where: upper.contains) else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes.lazy.map { upper.contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Replaces the password of a `user:password@` URL with `***`, so credentials never reach a record.
    static func redactingPassword(_ text: String) -> String {
        var text = text
        guard text.withUTF8({ $0.contains(UInt8(ascii: "@")) }), let schemeEnd = text.range(of: "://") else {
            return text
        }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd =
            text[authorityStart...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" })
            ?? text.endIndex
        guard let at = text[authorityStart..<authorityEnd].lastIndex(of: "@"),
            let colon = text[authorityStart..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
