import Foundation
import Synchronization
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

    private static let credentials = HTTPHeaders([
        ("Authorization", "Bearer secret"), ("Cookie", "s=1"), ("Proxy-Authorization", "Basic x"), ("X-Keep", "yes"),
    ])

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

    @Test(arguments: TransportKind.allCases)
    func credentialsAreDroppedWhenARedirectChangesHostOrPort(_ kind: TransportKind) async throws {
        let other = try TestSite(hosts: ["127.0.0.1"])
        defer { other.shutdown() }
        let back = site.url("/echo-headers?case=back")
        let cases = [
            ("host", site.url("/echo-headers?case=host", host: "127.0.0.2")),
            ("port", other.url("/echo-headers?case=port")),
            ("relative", "/echo-headers?case=relative"),
            ("absolute", site.url("/echo-headers?case=absolute")),
            // Away and back again: what was dropped stays dropped.
            ("away", site.url("/redirect-to?to=\(encoded(back))", host: "127.0.0.2")),
        ]
        let urls = cases.map { site.url("/redirect-to?to=\(encoded($0.1))&case=\($0.0)") }
        let (sink, _) = await crawl(
            urls, configure: { $0.request.headers = Self.credentials }, transport: kind.make())
        #expect(sink.records.count == urls.count && sink.records.allSatisfy(\.ok), "\(sink.records)")
        let echoes = (site.requests() + other.requests()).filter { $0.path == "/echo-headers" }
        func echo(_ name: String) -> LoggedRequest? { echoes.first { $0.query == "case=\(name)" } }
        for name in ["host", "port", "back"] {
            let request = try #require(echo(name), "\(name)")
            #expect(request.header("authorization") == nil, "\(name)")
            #expect(request.header("cookie") == nil, "\(name)")
            #expect(request.header("proxy-authorization") == nil, "\(name)")
            #expect(request.header("x-keep") == "yes", "\(name)")
        }
        for name in ["relative", "absolute"] {
            let request = try #require(echo(name), "\(name)")
            #expect(request.header("authorization") == "Bearer secret", "\(name)")
            #expect(request.header("cookie") == "s=1", "\(name)")
            #expect(request.header("proxy-authorization") == "Basic x", "\(name)")
        }
    }

    @Test func credentialsAreDroppedWhenARedirectChangesOnlyTheScheme() async throws {
        // No loopback port speaks both http and https, so a transport that answers as the server would: an http
        // URL redirected to https on the same host and port.
        let transport = ScriptedRedirectTransport(to: "https://a.example:8080/landed")
        let (_, _) = await crawl(
            ["http://a.example:8080/start"], configure: { $0.request.headers = Self.credentials },
            transport: transport)
        let requests = transport.requests
        try #require(requests.count == 2)
        #expect(requests[0].headers["authorization"] == "Bearer secret")
        #expect(requests[1].url.absoluteString == "https://a.example:8080/landed")
        #expect(requests[1].headers["authorization"] == nil)
        #expect(requests[1].headers["cookie"] == nil)
        #expect(requests[1].headers["proxy-authorization"] == nil)
        #expect(requests[1].headers["x-keep"] == "yes")
    }

    @Test(arguments: TransportKind.allCases)
    func passwordsInURLsNeverReachARecord(_ kind: TransportKind) async throws {
        // In the input, kept through a relative redirect, named by a redirect (answered, failing with a status, or
        // refused), and in a URL whose connection is refused: no record field holds the password, only `***`. (The redirecting
        // URLs carry their target, secret included, in their own query: that is the input, not a credential.)
        let port = site.port
        let inInput = [
            "http://user:s3cret1@127.0.0.1:\(port)/page/a", "http://user:s3cret2@127.0.0.1:\(port)/redirect/1",
            "http://user:s3cret5@127.0.0.1:\(closedPort())/",
        ]
        let named = [
            site.url("/redirect-to?to=\(encoded("http://u:s3cret3@127.0.0.2:\(port)/page/b"))"),
            site.url("/redirect-to?to=\(encoded("http://u:s3cret4@127.0.0.2:\(port)/status/404"))"),
            site.url("/redirect-to?to=\(encoded("http://u:s3cret6@127.0.0.2:\(closedPort())/"))"),
        ]
        let (sink, _) = await crawl(inInput + named, configure: { $0.retry.maxAttempts = 1 }, transport: kind.make())
        #expect(sink.records.count == 6 && sink.records.filter(\.ok).count == 3)
        for record in sink.records {
            #expect(record.finalURL?.contains(":***@") == true, "\(record.finalURL ?? "")")
            #expect(record.finalURL?.contains("s3cret") == false)
            #expect(record.error?.message.contains("s3cret") != true, "\(record.error as Any)")
        }
        for url in inInput {
            let record = try #require(sink.records.first { $0.url == CrawlURL.redactingPassword(url) }, "\(url)")
            let line = String(decoding: RecordEncoder().encode(record), as: UTF8.self)
            #expect(!line.contains("s3cret") && line.contains(":***@"), "\(line)")
        }
    }

    @Test func anOriginIsSchemeHostAndPortWithDefaultPortsFilledIn() {
        func same(_ a: String, _ b: String) -> Bool { Redirect.sameOrigin(URL(string: a)!, URL(string: b)!) }
        #expect(same("http://a.example/x", "http://a.example:80/y"))
        #expect(same("https://a.example/x", "https://a.example:443/y"))
        #expect(same("HTTP://A.example/x", "http://a.example/y"))
        #expect(!same("http://a.example:8080/x", "https://a.example:8080/x"))
        #expect(!same("http://a.example/x", "https://a.example/x"))
        #expect(!same("http://a.example/x", "http://a.example:8080/x"))
        #expect(!same("http://a.example/x", "http://b.example/x"))
        #expect(!same("https://a.example:80/x", "http://a.example/x"))
    }
}

/// A transport whose first answer is a 302 to `target` and every later one a 200, recording every request.
private final class ScriptedRedirectTransport: Transport {
    private let target: String
    private let log = Mutex<[TransportRequest]>([])

    init(to target: String) {
        self.target = target
    }

    var requests: [TransportRequest] { log.withLock { $0 } }

    nonisolated(nonsending) func perform(_ request: TransportRequest) async throws(RecordError) -> TransportResponse {
        let count = log.withLock { log in
            log.append(request)
            return log.count
        }
        if count == 1 { return TransportResponse(status: 302, headers: HTTPHeaders([("Location", target)])) }
        return TransportResponse(status: 200)
    }

    func shutdown() async {}
}
