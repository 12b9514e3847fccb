import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// Proxies through the libcurl transport: a python forward proxy on loopback logs what it carried.
@Suite(.timeLimit(.minutes(1)), .serialized, .enabled(if: TLSTestSite.isAvailable, "needs python3 and openssl"))
struct ProxyTransportTests {
    let site: TestSite
    let proxy: ForwardProxy
    static let secret = "s3cr3t-Pa55"

    init() throws {
        site = try TestSite()
        proxy = try ForwardProxy(credentials: "trawler:\(Self.secret)")
    }

    private func transport(_ settings: ProxySettings, caPath: String? = nil) throws -> CurlMultiTransport {
        var configuration = CurlMultiTransport.Configuration()
        configuration.proxy = settings
        configuration.caBundlePath = caPath
        return try CurlMultiTransport(configuration: configuration)
    }

    private var proxyURL: String { proxy.url(credentials: "trawler:\(Self.secret)") }

    @Test func plainRequestsGoThroughTheProxyInAbsoluteForm() async throws {
        let transport = try transport(ProxySettings(proxy: proxyURL))
        let url = site.url("/page/7?size=64")
        let response = try await transport.perform(TransportRequest(url: URL(string: url)!))
        #expect(response.status == 200)
        #expect(proxy.log() == [ForwardProxy.Entry(method: "GET", target: url, authorized: true)])
        #expect(site.requestCount(path: "/page/7") == 1)
        await transport.shutdown()
    }

    @Test func noProxyHostsBypassIt() async throws {
        let transport = try transport(ProxySettings(proxy: proxyURL, noProxy: ["127.0.0.2"]))
        for host in ["127.0.0.1", "127.0.0.2"] {
            let response = try await transport.perform(
                TransportRequest(url: URL(string: site.url("/page/1", host: host))!))
            #expect(response.status == 200)
        }
        #expect(proxy.log().map(\.target) == [site.url("/page/1", host: "127.0.0.1")])
        #expect(site.requestCount(path: "/page/1") == 2)
        await transport.shutdown()
    }

    @Test(.enabled(if: TLSTestSite.isAvailable)) func httpsGoesThroughATunnel() async throws {
        let tls = try TLSTestSite()
        defer { tls.shutdown() }
        let transport = try transport(ProxySettings(proxy: proxyURL), caPath: tls.caPath)
        let response = try await transport.perform(TransportRequest(url: URL(string: tls.url(.valid, "/t"))!))
        #expect(response.status == 200)
        #expect(
            proxy.log() == [
                ForwardProxy.Entry(method: "CONNECT", target: "127.0.0.1:\(tls.port(.valid))", authorized: true)
            ])
        await transport.shutdown()
    }

    @Test func anUnreachableProxyIsAConnectFailureNamingItWithoutCredentials() async throws {
        let dead = "http://trawler:\(Self.secret)@127.0.0.1:\(closedPort())"
        let transport = try transport(ProxySettings(proxy: dead))
        do {
            _ = try await transport.perform(TransportRequest(url: URL(string: site.url("/x"))!))
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .connect)
            #expect(
                error.message.hasPrefix("could not connect to the proxy \(ProxySettings.redacted(dead)):"),
                "\(error.message)")
            #expect(!error.message.contains(Self.secret))
            #expect(!error.message.contains("trawler"))
        }
        #expect(site.requestCount() == 0)
        await transport.shutdown()
    }

    @Test func aRefusedTunnelNamesTheProxyWithoutCredentials() async throws {
        let tls = try TLSTestSite()
        defer { tls.shutdown() }
        let wrong = proxy.url(credentials: "trawler:wrong-\(Self.secret)")
        let transport = try transport(ProxySettings(proxy: wrong), caPath: tls.caPath)
        do {
            _ = try await transport.perform(TransportRequest(url: URL(string: tls.url(.valid))!))
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .connect)
            #expect(error.message.contains("127.0.0.1:\(proxy.port)"))
            #expect(!error.message.contains(Self.secret), "\(error.message)")
        }
        await transport.shutdown()
    }
}

/// Reading and matching proxy settings.
@Suite struct ProxySettingsTests {
    @Test func theEnvironmentIsReadInBothCasesWithAllProxyAsFallback() {
        let upper = ProxySettings.environment([
            "HTTP_PROXY": "http://a:1", "ALL_PROXY": "http://all:3", "NO_PROXY": "example.com, .internal,10.0.0.1",
        ])
        #expect(upper.http == "http://a:1")
        #expect(upper.https == "http://all:3")
        #expect(upper.noProxy == ["example.com", ".internal", "10.0.0.1"])
        let lower = ProxySettings.environment([
            "http_proxy": "http://low:1", "HTTP_PROXY": "http://up:1", "https_proxy": "",
        ])
        #expect(lower.http == "http://low:1")
        #expect(lower.https == nil)
        #expect(ProxySettings.environment([:]).isEmpty)
    }

    @Test func noProxyMatchesHostsDomainsPortsAndStar() {
        let settings = ProxySettings(
            proxy: "http://p:1", noProxy: ["example.com", ".internal", "10.0.0.1", "svc:8080"])
        #expect(settings.proxy(scheme: "http", host: "example.com", port: nil) == nil)
        #expect(settings.proxy(scheme: "https", host: "www.example.com", port: nil) == nil)
        #expect(settings.proxy(scheme: "http", host: "notexample.com", port: nil) == "http://p:1")
        #expect(settings.proxy(scheme: "http", host: "a.internal", port: nil) == nil)
        #expect(settings.proxy(scheme: "http", host: "10.0.0.1", port: 80) == nil)
        #expect(settings.proxy(scheme: "http", host: "svc", port: 8080) == nil)
        #expect(settings.proxy(scheme: "http", host: "svc", port: 80) == "http://p:1")
        #expect(ProxySettings(proxy: "http://p:1", noProxy: ["*"]).proxy(scheme: "https", host: "x", port: nil) == nil)
    }

    @Test func credentialsAreRedactedAndScrubbed() {
        #expect(ProxySettings.redacted("http://u:pw@h:1/") == "http://***@h:1/")
        #expect(ProxySettings.redacted("http://h:1") == "http://h:1")
        #expect(ProxySettings.redacted("u:pw@h:1") == "***@h:1")
        #expect(
            ProxySettings.scrub("said pw-secret to trawler", proxy: "http://trawler:pw-secret@h") == "said *** to ***")
    }
}
