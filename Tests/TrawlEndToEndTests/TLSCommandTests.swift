import Foundation
import Testing
import TrawlTestSite

/// `trawl crawl` over HTTPS and through proxies: `--cacert`, `--insecure`, `--proxy`, the proxy environment and
/// the URLSession usage errors, checked on the built binary's stdout, stderr and exit status.
@Suite(.timeLimit(.minutes(1)), .serialized, .enabled(if: TLSTestSite.isAvailable, "needs python3 and openssl"))
struct TLSCommandTests {
    let site: TLSTestSite
    static let secret = "e2e-Pr0xy-secret"

    init() throws {
        site = try TLSTestSite()
    }

    private func error(_ record: [String: Any]) -> (kind: String, message: String)? {
        guard let error = record["error"] as? [String: Any] else { return nil }
        return (error["kind"] as? String ?? "", error["message"] as? String ?? "")
    }

    @Test func cacertTrustsThePrivateCAAndEachBadCertificateFailsOnce() async throws {
        let urls = [
            site.url(.valid, "/a"), site.url(.expired, "/b"), site.url(.wrongHost, "/c"), site.url(.selfSigned, "/d"),
        ]
        let output = try await TrawlProcess.run(
            ["crawl", "--progress", "never", "--cacert", site.caPath, "-"], stdin: urls.joined(separator: "\n"))
        #expect(output.status == 1)
        let records = Dictionary(
            uniqueKeysWithValues: try output.records().map { ($0["url"] as? String ?? "", $0) })
        #expect(records[urls[0]]?["ok"] as? Bool == true)
        let expected = [
            urls[1]: "certificate has expired",
            urls[2]: "hostname mismatch: the certificate is not valid for 127.0.0.1",
            urls[3]: "self-signed certificate",
        ]
        for (url, message) in expected {
            let record = try #require(records[url])
            #expect(error(record)?.kind == "tls")
            #expect(error(record)?.message == message)
            #expect(record["attempts"] as? Int == 1)
        }
    }

    @Test func withoutCacertThePrivateCAIsUnknown() async throws {
        let output = try await TrawlProcess.run(["crawl", "--progress", "never", "-"], stdin: site.url(.valid))
        #expect(output.status == 1)
        let record = try #require(try output.records().first)
        #expect(error(record)?.kind == "tls")
    }

    @Test func insecureFetchesEverythingAndSaysSoTwice() async throws {
        let urls = TLSTestSite.Certificate.allCases.map { site.url($0) }
        let output = try await TrawlProcess.run(
            ["crawl", "--progress", "never", "--insecure", "-"], stdin: urls.joined(separator: "\n"))
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try output.records().allSatisfy { $0["ok"] as? Bool == true })
        #expect(output.stderr.components(separatedBy: "NOT verified").count - 1 == 2, "\(output.stderr)")
    }

    @Test func urlSessionRefusesTheFlagsItCannotHonour() async throws {
        for flags in [["--cacert", site.caPath], ["--insecure"], ["--proxy", "http://127.0.0.1:1"]] {
            let output = try await TrawlProcess.run(
                ["crawl", "--transport", "urlsession"] + flags + ["-"], stdin: site.url(.valid))
            #expect(output.status == 64)
            #expect(output.stderr.contains("cannot be used with --transport urlsession"), "\(output.stderr)")
            #expect(output.stdout.isEmpty)
        }
        let missing = try await TrawlProcess.run(["crawl", "--cacert", "/nonexistent/ca.pem", "-"], stdin: "")
        #expect(missing.status == 64)
    }

    @Test func theProxyEnvironmentCarriesHTTPSAndNoSecretIsPrinted() async throws {
        let proxy = try ForwardProxy(credentials: "trawler:\(Self.secret)")
        defer { proxy.shutdown() }
        let output = try await TrawlProcess.run(
            ["crawl", "--progress", "log", "--cacert", site.caPath, "-"], stdin: site.url(.valid, "/env"),
            environment: ["HTTPS_PROXY": proxy.url(credentials: "trawler:\(Self.secret)"), "NO_PROXY": "example.com"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(proxy.log().map(\.method) == ["CONNECT"])
        #expect(!output.stdout.contains(Self.secret) && !output.stderr.contains(Self.secret))
    }

    @Test func anUnreachableProxyIsAConnectFailureWithTheProxyRedacted() async throws {
        let port = try TLSTestSite().port(.valid)  // a port that was free a moment ago
        let proxy = "http://trawler:\(Self.secret)@127.0.0.1:\(port)"
        let output = try await TrawlProcess.run(
            ["crawl", "--progress", "log", "--max-attempts", "1", "--proxy", proxy, "-"], stdin: site.url(.valid))
        #expect(output.status == 1)
        let record = try #require(try output.records().first)
        #expect(error(record)?.kind == "connect")
        #expect(error(record)?.message.hasPrefix("could not connect to the proxy http://***@127.0.0.1:\(port)") == true)
        #expect(!output.stdout.contains(Self.secret) && !output.stderr.contains(Self.secret))
        #expect(!output.stdout.contains("trawler") && !output.stderr.contains("trawler"))
    }
}
