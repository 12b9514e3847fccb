import Foundation

/// Which proxy, if any, carries a request: one proxy URL per request scheme and the hosts that bypass them.
///
/// trawl resolves the proxy itself and hands libcurl the answer for every request, because libcurl's own
/// reading of the environment deliberately ignores upper-case `HTTP_PROXY` (a CGI hazard) while most tools
/// honour it. Proxy URLs may carry `user:password@`; use ``redacted(_:)`` before printing one.
public struct ProxySettings: Sendable, Equatable {
    /// The proxy for `http` URLs, e.g. `http://127.0.0.1:3128`; nil for none.
    public var http: String?
    /// The proxy for `https` URLs (reached with `CONNECT` when it is an http proxy); nil for none.
    public var https: String?
    /// Hosts that never use a proxy: `NO_PROXY` syntax, comma-separated names (`example.com` also matches its
    /// subdomains, a leading dot is ignored), IP addresses, optional `:port`, or `*` for every host.
    public var noProxy: [String] = []

    /// No proxy at all.
    public init() {}

    /// One proxy for every scheme, as `--proxy` gives.
    public init(proxy: String, noProxy: [String] = []) {
        http = proxy
        https = proxy
        self.noProxy = noProxy
    }

    /// The conventional variables: `http_proxy`/`HTTP_PROXY`, `https_proxy`/`HTTPS_PROXY`, `all_proxy`/`ALL_PROXY`
    /// as the fallback for both, and `no_proxy`/`NO_PROXY`; lower case wins when both are set, empty values
    /// count as unset.
    public static func environment(_ environment: [String: String]) -> ProxySettings {
        func value(_ name: String) -> String? {
            for key in [name.lowercased(), name.uppercased()] {
                if let value = environment[key]?.trimmed, !value.isEmpty { return value }
            }
            return nil
        }
        var settings = ProxySettings()
        let all = value("all_proxy")
        settings.http = value("http_proxy") ?? all
        settings.https = value("https_proxy") ?? all
        settings.noProxy = parseNoProxy(value("no_proxy") ?? "")
        return settings
    }

    /// Splits a `NO_PROXY` value into its entries.
    public static func parseNoProxy(_ list: String) -> [String] {
        list.split(whereSeparator: { $0 == "," || $0 == " " }).map { String($0) }.filter { !$0.isEmpty }
    }

    /// Whether any proxy is configured.
    public var isEmpty: Bool { http == nil && https == nil }

    /// The proxy for a request to `scheme://host:port`, or nil when it goes direct.
    public func proxy(scheme: String, host: String, port: Int?) -> String? {
        let candidate: String?
        switch scheme.lowercased() {
        case "http": candidate = http
        case "https": candidate = https
        default: candidate = nil
        }
        guard let candidate, !bypasses(host: host, port: port) else { return nil }
        return candidate
    }

    /// Whether `host` is in ``noProxy``.
    public func bypasses(host: String, port: Int?) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        for rawEntry in noProxy {
            var entry = rawEntry.lowercased()
            if entry == "*" { return true }
            // An optional ":port" (not on a bare IPv6 address).
            if let colon = entry.lastIndex(of: ":"), !entry.hasSuffix("]"), entry.filter({ $0 == ":" }).count == 1 {
                let entryPort = Int(entry[entry.index(after: colon)...])
                entry = String(entry[..<colon])
                if let entryPort, entryPort != port { continue }
            }
            if entry.hasPrefix("[") && entry.hasSuffix("]") { entry = String(entry.dropFirst().dropLast()) }
            while entry.hasPrefix(".") || entry.hasPrefix("*.") { entry.removeFirst(entry.hasPrefix(".") ? 1 : 2) }
            if entry.hasSuffix(".") { entry.removeLast() }
            guard !entry.isEmpty else { continue }
            if name == entry || name.hasSuffix("." + entry) { return true }
        }
        return false
    }

    /// `proxy` with any `user:password@` replaced by `***@`, safe to print or record.
    public static func redacted(_ proxy: String) -> String {
        let schemeEnd = proxy.range(of: "://")?.upperBound ?? proxy.startIndex
        let rest = proxy[schemeEnd...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return proxy }
        return String(proxy[..<schemeEnd]) + "***" + String(proxy[at...])
    }

    /// The `user:password` part of `proxy`, if any: the text that must never appear in output.
    static func credentials(_ proxy: String) -> String? {
        let schemeEnd = proxy.range(of: "://")?.upperBound ?? proxy.startIndex
        let rest = proxy[schemeEnd...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"), at > rest.startIndex else { return nil }
        return String(rest[..<at])
    }

    /// `text` with every trace of `proxy`'s credentials replaced by `***`.
    static func scrub(_ text: String, proxy: String) -> String {
        guard let credentials = credentials(proxy) else { return text }
        var scrubbed = text
        var secrets = [credentials]
        if let colon = credentials.firstIndex(of: ":") {
            let user = String(credentials[..<colon])
            let password = String(credentials[credentials.index(after: colon)...])
            // The password alone too; the user name only when it is long enough not to erase ordinary words.
            if !password.isEmpty { secrets.append(password) }
            if user.count >= 4 { secrets.append(user) }
            if let decoded = password.removingPercentEncoding, decoded != password, !decoded.isEmpty {
                secrets.append(decoded)
            }
        }
        for secret in secrets { scrubbed = scrubbed.replacingOccurrences(of: secret, with: "***") }
        return scrubbed
    }
}

extension String {
    fileprivate var trimmed: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
