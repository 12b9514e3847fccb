import Foundation

/// The rules trawl applies when it follows a redirect itself.
enum Redirect {
    /// Statuses that are followed when they carry a `Location`.
    static let statuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Headers that never leave the origin they were meant for.
    static let credentialHeaders = ["Authorization", "Cookie", "Proxy-Authorization"]

    /// Resolves `location` against `base` and checks it may be followed.
    static func target(location: String, from base: URL) throws(RecordError) -> (URL, String) {
        guard let resolved = URL(string: location, relativeTo: base)?.absoluteURL else {
            throw RecordError(.invalidURL, "redirect to an invalid URL")
        }
        let (url, host) = try CrawlURL.parse(resolved.absoluteString)
        if base.scheme?.lowercased() == "https" && url.scheme?.lowercased() == "http" {
            throw RecordError(.unsupportedScheme, "refused a redirect from https to http")
        }
        return (url, host)
    }

    /// Whether `a` and `b` share scheme, host and port (default ports filled in).
    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && effectivePort(a) == effectivePort(b)
    }

    private static func effectivePort(_ url: URL) -> Int? {
        url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
    }
}
