import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTPS through the libcurl transport against a TLS server that is Python's `ssl` module, with certificates made
/// by `openssl` at test time: trust, `--cacert`, `--insecure` and a readable message for each failure.
@Suite(.timeLimit(.minutes(1)), .serialized, .enabled(if: TLSTestSite.isAvailable, "needs python3 and openssl"))
struct TLSTransportTests {
    let site: TLSTestSite

    init() throws {
        site = try TLSTestSite()
    }

    private func transport(_ configure: (inout CurlMultiTransport.Configuration) -> Void = { _ in }) throws
        -> CurlMultiTransport
    {
        var configuration = CurlMultiTransport.Configuration()
        configure(&configuration)
        return try CurlMultiTransport(configuration: configuration)
    }

    private func fetch(_ url: String, on transport: CurlMultiTransport) async -> Result<TransportResponse, RecordError>
    {
        do throws(RecordError) {
            return .success(try await transport.perform(TransportRequest(url: URL(string: url)!, keepBody: true)))
        } catch {
            return .failure(error)
        }
    }

    private func error(_ result: Result<TransportResponse, RecordError>) -> RecordError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test func aCertificateFromTheGivenCAIsTrusted() async throws {
        let transport = try transport { $0.caBundlePath = site.caPath }
        let response = try await fetch(site.url(.valid, "/hello"), on: transport).get()
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "tls ok /hello")
        await transport.shutdown()
    }

    @Test func withoutTheCAThePrivateCertificateFailsAsTLS() async throws {
        let transport = try transport()
        let failure = try #require(error(await fetch(site.url(.valid), on: transport)))
        #expect(failure.kind == .tls)
        #expect(
            failure.message == "certificate signed by an unknown authority (its issuer is not among the trusted CAs)")
        await transport.shutdown()
    }

    @Test func eachBadCertificateHasItsOwnMessage() async throws {
        let transport = try transport { $0.caBundlePath = site.caPath }
        let expired = try #require(error(await fetch(site.url(.expired), on: transport)))
        #expect(expired == RecordError(.tls, "certificate has expired"))
        let wrongHost = try #require(error(await fetch(site.url(.wrongHost), on: transport)))
        #expect(wrongHost == RecordError(.tls, "hostname mismatch: the certificate is not valid for 127.0.0.1"))
        let selfSigned = try #require(error(await fetch(site.url(.selfSigned), on: transport)))
        #expect(selfSigned == RecordError(.tls, "self-signed certificate"))
        await transport.shutdown()
    }

    @Test func theBundleAddsToTheSystemCAsInsteadOfReplacingThem() async throws {
        // The second CA stands in for the system store: it is only in the hashed directory.
        let transport = try transport {
            $0.caBundlePath = site.caPath
            $0.systemCADirectory = site.otherCADirectory
        }
        #expect(try await fetch(site.url(.valid), on: transport).get().status == 200)
        #expect(try await fetch(site.url(.otherCA), on: transport).get().status == 200)
        await transport.shutdown()
    }

    @Test func insecureAcceptsEveryCertificate() async throws {
        let transport = try transport { $0.verifiesCertificates = false }
        for certificate in TLSTestSite.Certificate.allCases {
            #expect(try await fetch(site.url(certificate), on: transport).get().status == 200, "\(certificate)")
        }
        await transport.shutdown()
    }

    @Test func aPlainHTTPServerFailsTheHandshake() async throws {
        let transport = try transport()
        let plainAsHTTPS = site.plainURL().replacingOccurrences(of: "http://", with: "https://")
        let failure = try #require(error(await fetch(plainAsHTTPS, on: transport)))
        #expect(failure.kind == .tls)
        #expect(failure.message.hasPrefix("TLS handshake failed"), "\(failure.message)")
        await transport.shutdown()
    }

    @Test func anExpiredCertificateEndsTheURLInOneAttempt() async throws {
        let transport = try transport { $0.caBundlePath = site.caPath }
        let url = site.url(.expired, "/once")
        let (sink, _) = await crawl([url], configure: { $0.retry.maxAttempts = 4 }, transport: transport)
        let record = try #require(sink.record(for: url))
        #expect(record.attempts == 1)
        #expect(record.error == RecordError(.tls, "certificate has expired"))
    }

    @Test func aRedirectFromHTTPSToHTTPIsRefusedAndHTTPToHTTPSFollowed() async throws {
        let plain = try TestSite(hosts: ["127.0.0.1"])
        defer { plain.shutdown() }
        let transport = try transport { $0.caBundlePath = site.caPath }
        let down = site.url(.valid, "/to/" + plain.url("/page/1"))
        let up = plain.url(
            "/redirect-to?to=" + site.url(.valid, "/up").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        let (sink, _) = await crawl([down, up], transport: transport)
        #expect(sink.record(for: down)?.error?.kind == .unsupportedScheme)
        #expect(plain.requestCount(path: "/page/1") == 0)
        let upRecord = try #require(sink.record(for: up))
        #expect(upRecord.ok, "\(String(describing: upRecord.error))")
    }

    @Test func http2AndHTTP1OptionsAreAcceptedAndHTTPSStillWorks() async throws {
        for version in [CurlMultiTransport.Configuration.HTTPVersion.http1, .http2] {
            let transport = try transport {
                $0.caBundlePath = site.caPath
                $0.httpVersion = version
            }
            #expect(try await fetch(site.url(.valid), on: transport).get().status == 200)
            await transport.shutdown()
        }
    }

    @Test func urlSessionReportsTheSameTLSFailuresAsKindTLS() async throws {
        let transport = URLSessionTransport()
        do {
            _ = try await transport.perform(TransportRequest(url: URL(string: site.url(.selfSigned))!))
            Issue.record("a self-signed certificate was accepted")
        } catch {
            #expect(error == RecordError(.tls, "self-signed certificate"))
        }
        // URLSession on Linux cannot be given the test CA, so its valid certificate is unknown to it too; what
        // matters is that every bad certificate fails as tls, never as a retryable network error.
        for certificate in TLSTestSite.Certificate.allCases {
            do {
                _ = try await transport.perform(TransportRequest(url: URL(string: site.url(certificate))!))
                Issue.record("\(certificate) was accepted")
            } catch {
                #expect(error.kind == .tls, "\(certificate): \(error.message)")
            }
        }
        await transport.shutdown()
    }
}

/// The wording of TLS failures, from the texts libcurl (and URLSession on Linux, which relays libcurl) gives.
@Suite struct TLSFailureTextTests {
    @Test func libcurlsTextsBecomeSentences() {
        let cases: [(String, String)] = [
            ("SSL certificate problem: certificate has expired", "certificate has expired"),
            ("SSL certificate problem: self-signed certificate", "self-signed certificate"),
            ("SSL certificate problem: self signed certificate", "self-signed certificate"),
            (
                "SSL certificate problem: self-signed certificate in certificate chain",
                "self-signed certificate in the chain: its root CA is not trusted"
            ),
            (
                "SSL certificate problem: unable to get local issuer certificate",
                "certificate signed by an unknown authority (its issuer is not among the trusted CAs)"
            ),
            (
                "SSL: no alternative certificate subject name matches target host name '127.0.0.2'",
                "hostname mismatch: the certificate is not valid for 127.0.0.2"
            ),
            (
                "SSL: certificate subject name 'a.test' does not match target host name 'b.test'",
                "hostname mismatch: the certificate is for a.test, not b.test"
            ),
            ("SSL certificate problem: certificate is not yet valid", "certificate is not yet valid"),
        ]
        for (raw, expected) in cases {
            #expect(TLSFailureText.describe(raw) == expected)
        }
        #expect(
            TLSFailureText.describe("OpenSSL SSL_connect: Connection reset by peer", handshake: true)
                == "TLS handshake failed: OpenSSL SSL_connect: Connection reset by peer")
    }

    @Test func urlSessionsCodeMinusOneWithSSLTextIsTLS() {
        let error = NSError(
            domain: NSURLErrorDomain, code: -1,
            userInfo: [NSLocalizedDescriptionKey: "SSL certificate problem: certificate has expired"])
        #expect(URLSessionTransport.classify(error) == RecordError(.tls, "certificate has expired"))
        let other = NSError(domain: NSURLErrorDomain, code: -1, userInfo: [NSLocalizedDescriptionKey: "boom"])
        #expect(URLSessionTransport.classify(other).kind == .network)
    }
}
