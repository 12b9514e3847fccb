/// A parsed HTTP/1.x request head: request line and headers.
struct HTTPRequestHead: Sendable {
    /// Why a head could not be parsed; each maps to the status the site answers before closing.
    enum ParseError: Error, Equatable {
        /// Request line or header syntax is wrong: 400.
        case malformed
        /// An HTTP version other than 1.0 or 1.1: 505.
        case unsupportedVersion
        /// A request body framing the site does not read (Transfer-Encoding): 501.
        case unsupportedFraming
    }

    var method: String
    /// The target as sent (origin form), or the path and query of an absolute-form target.
    var target: String
    var path: String
    var query: String
    var minorVersion: Int
    var headers: [LoggedRequest.Header]
    var contentLength: Int

    /// True when the client asked to keep the connection open (HTTP/1.1 default, or `Connection: keep-alive`).
    var keepAlive: Bool {
        let tokens = headers.filter { $0.name.lowercased() == "connection" }
            .flatMap { $0.value.lowercased().split(separator: ",") }
            .map { $0.trimmingSpaces() }
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }

    /// Parses the bytes of a head, without the blank line that ends it.
    init(parsing bytes: ArraySlice<UInt8>) throws(ParseError) {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { throw .malformed }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty,
            parts[0].allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
        else { throw .malformed }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw .malformed }
        method = String(decoding: parts[0], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        switch version {
        case "HTTP/1.1": minorVersion = 1
        case "HTTP/1.0": minorVersion = 0
        default:
            guard version.hasPrefix("HTTP/") else { throw .malformed }
            throw .unsupportedVersion
        }
        var rawTarget = String(decoding: parts[1], as: UTF8.self)
        // Absolute form (as sent to proxies): keep only the path and query.
        for scheme in ["http://", "https://"] where rawTarget.lowercased().hasPrefix(scheme) {
            let authority = rawTarget.dropFirst(scheme.count)
            rawTarget = authority.firstIndex(of: "/").map { String(authority[$0...]) } ?? "/"
        }
        guard rawTarget.hasPrefix("/") else { throw .malformed }
        target = rawTarget
        if let mark = rawTarget.firstIndex(of: "?") {
            path = String(rawTarget[..<mark])
            query = String(rawTarget[rawTarget.index(after: mark)...])
        } else {
            path = rawTarget
            query = ""
        }

        headers = []
        contentLength = 0
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw .malformed
            }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            guard !name.contains(where: { $0 == " " || $0 == "\t" }) else { throw .malformed }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
            headers.append(LoggedRequest.Header(name: name, value: value))
            switch name.lowercased() {
            case "content-length":
                guard let length = Int(value), length >= 0 else { throw .malformed }
                contentLength = length
            case "transfer-encoding":
                throw .unsupportedFraming
            default:
                break
            }
        }
    }
}
