/// Where a plain `http://` request goes and what its request line asks for, read from the URL's text: the
/// pieces the native transport needs, without Foundation's URL accessors on the hot path.
///
/// nil for what the native transport leaves to libcurl: another scheme, credentials in the URL (which libcurl
/// sends as Basic authentication), or a host that is not plain ASCII letters, digits, `-`, `.` and `_` (or a
/// bracketed IPv6 address).
struct NativeTarget: Equatable {
    /// The host, lowercased, without brackets: what is resolved and connected to.
    var host: String
    var port: UInt16
    /// The `Host` field's value: the host as written, with the port when it is not 80.
    var hostField: Substring
    /// The request target: the path and query, `/` when the URL has no path, never the fragment.
    var path: Substring

    init?(_ url: String) {
        let bytes = url.utf8
        guard bytes.count > 7 else { return nil }
        var index = bytes.startIndex
        for expected in "http://".utf8 {
            guard bytes[index] | (expected >= 0x61 ? 0x20 : 0) == expected else { return nil }
            index = bytes.index(after: index)
        }
        let authorityStart = index
        while index != bytes.endIndex, bytes[index] != 0x2F, bytes[index] != 0x3F, bytes[index] != 0x23 {
            index = bytes.index(after: index)
        }
        let authority = url[authorityStart..<index]
        var pathEnd = index
        while pathEnd != bytes.endIndex, bytes[pathEnd] != 0x23 { pathEnd = bytes.index(after: pathEnd) }
        let rest = url[index..<pathEnd]
        guard let (host, port) = Self.split(authority) else { return nil }
        self.host = host
        self.port = port
        hostField = port == 80 ? Substring(Self.hostText(authority)) : authority
        path = rest.first == "/" ? rest : Substring("/" + rest)
    }

    /// The authority's host part, as written (brackets kept).
    private static func hostText(_ authority: Substring) -> Substring {
        if authority.first == "[", let close = authority.firstIndex(of: "]") {
            return authority[...close]
        }
        return authority.firstIndex(of: ":").map { authority[..<$0] } ?? authority
    }

    /// The lowercased host and the port of `host[:port]` or `[v6]:port`; nil when either is not plain.
    private static func split(_ authority: Substring) -> (String, UInt16)? {
        var host: Substring
        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return nil }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.utf8.allSatisfy({ isHex($0) || $0 == 0x3A || $0 == 0x2E }) else { return nil }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard !host.isEmpty, host.utf8.allSatisfy(isHostByte) else { return nil }
        }
        var port: UInt16 = 80
        if let portText, !portText.isEmpty {
            guard portText.utf8.count <= 5, let number = Int(portText), (1...65535).contains(number) else { return nil }
            port = UInt16(number)
        }
        return (host.lowercased(), port)
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte | 0x20)
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte | 0x20) || byte == 0x2D || byte == 0x2E
            || byte == 0x5F
    }
}
