import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// What a crawl does with the redirects it follows itself (RELIABILITY, "Security" and "redirect to `file:`"):
/// only http(s) targets, and credentials kept to the origin they were meant for. Judged at the loopback site over
/// both transports, each of which hands the redirect back instead of following it.
@Suite(.timeLimit(.minutes(1))) struct RedirectCrawlTests {
    let site: TestSite

    init() throws {
        site = try TestSite()
    }

    private func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test(arguments: TransportKind.allCases)
    func aRedirectToANonHTTPSchemeIsRefusedWithAnErrorRecord(_ kind: TransportKind) async throws {
        // Targets on the site's own port, so a transport that followed one anyway would show up in its log.
        let targets = [
            "file:///etc/passwd", "ftp://127.0.0.1:\(site.port)/x", "gopher://127.0.0.1:\(site.port)/x",
            "dict://127.0.0.1:\(site.port)/x", "data:text/plain,hi", "javascript:alert(1)",
        ]
        let urls = targets.map { site.url("/redirect-to?to=\(encoded($0))") }
        let (sink, _) = await crawl(urls, transport: kind.make())
        for (url, target) in zip(urls, targets) {
            let record = try #require(sink.record(for: url), "\(target)")
            #expect(!record.ok && record.error?.kind == .unsupportedScheme, "\(target): \(record.error as Any)")
            #expect(record.attempts == 1 && record.status == 302, "\(target)")
        }
        // One request per URL, none of them a retry or a followed hop.
        #expect(site.requestCount() == urls.count)
        #expect(site.requestCount(path: "/redirect-to") == urls.count)
    }
}
