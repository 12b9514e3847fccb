#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a plain `http://` request goes and what its request line asks for, read from the URL's text: the
/// pieces the native transport needs, without Foundation's URL accessors on the hot path.
///
/// nil for what the native transport leaves to libcurl: another scheme, credentials in the URL (which libcurl
/// sends as Basic authentication), or a host that is not plain ASCII letters, digits, `-`, `.` and `_` (or a
/// bracketed IPv6 address).
///
/// Read byte by byte from the text's UTF-8: `Substring`'s character view would cost about ten times as much, a
/// measurable share of a request to a fast server close by.
struct NativeTarget: Equatable, Sendable {
    /// The host, lowercased, without brackets: what is resolved and connected to.
    var host: String
    var port: UInt16
    /// The `Host` field's value: the host as written, with the port when it is not 80.
    var hostField: String
    /// The request target: the path and query, `/` when the URL has no path, never the fragment.
    var path: String

    init?(_ url: String) {
        var text = url
        guard let target = text.withUTF8({ Self.read($0) }) else { return nil }
        self = target
    }

    private init(host: String, port: UInt16, hostField: String, path: String) {
        self.host = host
        self.port = port
        self.hostField = hostField
        self.path = path
    }

    private static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> NativeTarget? {
        // "http://", the letters in any case.
        let scheme: StaticString = "http://"
        guard bytes.count > scheme.utf8CodeUnitCount else { return nil }
        for offset in 0..<scheme.utf8CodeUnitCount {
            let expected = scheme.utf8Start[offset]
            guard bytes[offset] | (expected >= 0x61 ? 0x20 : 0) == expected else { return nil }
        }
        let authorityStart = scheme.utf8CodeUnitCount
        var authorityEnd = authorityStart
        while authorityEnd < bytes.count, bytes[authorityEnd] != 0x2F, bytes[authorityEnd] != 0x3F,
            bytes[authorityEnd] != 0x23
        {
            authorityEnd += 1
        }
        var pathEnd = authorityEnd
        while pathEnd < bytes.count, bytes[pathEnd] != 0x23 { pathEnd += 1 }

        // The host's bytes (brackets excluded) and where the written host (brackets included) ends.
        var hostRange: Range<Int>
        var hostTextEnd: Int
        let bracketed = bytes[authorityStart] == 0x5B
        if bracketed {
            guard let close = (authorityStart..<authorityEnd).first(where: { bytes[$0] == 0x5D }) else { return nil }
            hostRange = authorityStart + 1..<close
            hostTextEnd = close + 1
            guard hostTextEnd == authorityEnd || bytes[hostTextEnd] == 0x3A else { return nil }
            // Hex digits, colons and dots here (no byte inet_pton would stop at); whether they make an IPv6
            // address is asked below.
            guard hostRange.allSatisfy({ isHex(bytes[$0]) || bytes[$0] == 0x3A || bytes[$0] == 0x2E }) else {
                return nil
            }
        } else {
            hostTextEnd = (authorityStart..<authorityEnd).first(where: { bytes[$0] == 0x3A }) ?? authorityEnd
            hostRange = authorityStart..<hostTextEnd
            guard hostRange.allSatisfy({ isHostByte(bytes[$0]) }) else { return nil }
        }
        guard !hostRange.isEmpty else { return nil }

        var port: UInt16 = 80
        let portRange = min(hostTextEnd + 1, authorityEnd)..<authorityEnd
        if !portRange.isEmpty {
            guard portRange.count <= 5 else { return nil }
            var number = 0
            for index in portRange {
                let digit = Int(bytes[index]) - 0x30
                guard (0...9).contains(digit) else { return nil }
                number = number * 10 + digit
            }
            guard (1...65535).contains(number) else { return nil }
            port = UInt16(number)
        }

        let host = String(unsafeUninitializedCapacity: hostRange.count) { buffer in
            for offset in 0..<hostRange.count {
                let byte = bytes[hostRange.lowerBound + offset]
                buffer[offset] = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
            }
            return hostRange.count
        }
        // libcurl refuses a malformed one ("bad IPv6 address") as an invalid URL, not a failed lookup.
        if bracketed {
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else { return nil }
        }
        let hostField = text(bytes, authorityStart..<(port == 80 ? hostTextEnd : authorityEnd))
        let path =
            authorityEnd < pathEnd && bytes[authorityEnd] == 0x2F
            ? text(bytes, authorityEnd..<pathEnd) : "/" + text(bytes, authorityEnd..<pathEnd)
        return NativeTarget(host: host, port: port, hostField: hostField, path: path)
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte | 0x20)
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte | 0x20) || byte == 0x2D || byte == 0x2E
            || byte == 0x5F
    }
}
