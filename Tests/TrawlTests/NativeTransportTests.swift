#if os(Linux)
    import Foundation
    import Synchronization
    import Testing
    import TrawlTestSite

    @testable import Trawl

    /// What the native HTTP/1.1 transport does beyond the conformance suite: which requests it leaves to its
    /// fallback, names resolved off its thread, and the limits it sets itself.
    @Suite(.timeLimit(.minutes(1)), .serialized) struct NativeTransportTests {
        let site: TestSite

        init() throws {
            site = try TestSite()
        }

        /// The libcurl transport, counting the requests it is handed.
        private final class CountingFallback: Transport {
            let curl: CurlMultiTransport
            let urls = Mutex<[String]>([])

            init() throws {
                curl = try CurlMultiTransport()
            }

            nonisolated(nonsending) func perform(_ request: TransportRequest) async throws(RecordError)
                -> TransportResponse
            {
                urls.withLock { $0.append(request.url.absoluteString) }
                return try await curl.perform(request)
            }

            func shutdown() async { await curl.shutdown() }
        }

        private func transport(
            proxy: ProxySettings = ProxySettings(), fallback: any Transport
        ) throws -> NativeHTTPTransport {
            var configuration = CurlMultiTransport.Configuration()
            configuration.proxy = proxy
            return try NativeHTTPTransport(configuration: configuration, fallback: fallback)
        }

        private func get(_ transport: any Transport, _ url: String, timeout: Duration = .seconds(5)) async
            -> Result<TransportResponse, RecordError>
        {
            do throws(RecordError) {
                return .success(try await transport.perform(TransportRequest(url: URL(string: url)!, timeout: timeout)))
            } catch {
                return .failure(error)
            }
        }

        @Test func onlyPlainHTTPWithoutCredentialsOrAProxyStaysNative() async throws {
            let fallback = try CountingFallback()
            let native = try transport(fallback: fallback)
            #expect(try await get(native, site.url("/page/a?size=10")).get().bodyBytes == 10)
            let withPassword = site.url("/page/b?size=10").replacingOccurrences(of: "http://", with: "http://u:p@")
            _ = await get(native, withPassword)
            let secure = "https://127.0.0.1:\(closedPort())/"
            _ = await get(native, secure, timeout: .seconds(2))
            #expect(fallback.urls.withLock { $0 } == [withPassword, secure])
            // The password reached the server as Basic authentication, through libcurl.
            #expect(site.requests().last?.header("authorization") == "Basic dTpw")
            await native.shutdown()

            let proxied = try transport(
                proxy: ProxySettings(proxy: "http://127.0.0.1:\(closedPort())", noProxy: ["127.0.0.2"]),
                fallback: fallback)
            _ = await get(proxied, site.url("/page/c?size=10"), timeout: .seconds(2))
            #expect(try await get(proxied, site.url("/page/d?size=10", host: "127.0.0.2")).get().status == 200)
            #expect(fallback.urls.withLock { $0.last } == site.url("/page/c?size=10"))
            await proxied.shutdown()
        }

        @Test func aHostNameIsResolvedAndEachOfItsAddressesTried() async throws {
            let native = try transport(fallback: CountingFallback())
            // localhost is ::1 and 127.0.0.1; the site listens on 127.0.0.1 only, so ::1 may be refused first.
            let url = site.url("/page/e?size=33").replacingOccurrences(of: "127.0.0.1", with: "localhost")
            for _ in 0..<3 {
                #expect(try await get(native, url).get().bodyBytes == 33)
            }
            let logged = site.requests().filter { $0.path == "/page/e" }
            #expect(logged.count == 3)
            #expect(logged.first?.header("host")?.hasPrefix("localhost:") == true)
            if case .failure(let error) = await get(native, "http://no-such-host.invalid/") {
                #expect(error.kind == .dns)
                #expect(error.message.contains("no-such-host.invalid"))
            } else {
                Issue.record("expected a dns failure")
            }
            await native.shutdown()
        }

        @Test func anAddressThatNeverAnswersGivesWayToTheNextAfterHalfTheTimeLeft() async throws {
            // A name with two addresses: the first drops the SYN (a full backlog), the second is the site.
            let silent = FullBacklogListener()
            let addresses = [
                SocketAddress(numericHost: "127.0.0.1", port: UInt16(silent.port))!,
                SocketAddress(numericHost: "127.0.0.1", port: UInt16(site.port))!,
            ]
            let native = try NativeHTTPTransport(
                configuration: CurlMultiTransport.Configuration(), fallback: CountingFallback(),
                lookUp: { _ in .success(addresses) })
            let url = site.url("/page/h?size=12").replacingOccurrences(of: "127.0.0.1", with: "two.test")
            let start = ContinuousClock.now
            let response = try await get(native, url, timeout: .milliseconds(800)).get()
            let elapsed = ContinuousClock.now - start
            #expect(response.bodyBytes == 12)
            #expect(elapsed >= .milliseconds(350) && elapsed < .milliseconds(790), "\(elapsed)")
            // The address that answered is tried first from now on: two at once (one of them on a new
            // connection) wait for no silent address.
            let again = ContinuousClock.now
            async let first = get(native, url, timeout: .milliseconds(800))
            async let second = get(native, url, timeout: .milliseconds(800))
            #expect(try await first.get().bodyBytes == 12)
            #expect(try await second.get().bodyBytes == 12)
            #expect(ContinuousClock.now - again < .milliseconds(300), "\(ContinuousClock.now - again)")
            // With only the silent address, the whole deadline goes to it, and the record names the connect.
            let alone = try NativeHTTPTransport(
                configuration: CurlMultiTransport.Configuration(), fallback: CountingFallback(),
                lookUp: { _ in .success([addresses[0]]) })
            if case .failure(let error) = await get(alone, url, timeout: .milliseconds(300)) {
                #expect(error.kind == .timeout)
                #expect(error.message.hasPrefix("connection timed out after 300 ms: two.test port"), "\(error.message)")
            } else {
                Issue.record("expected a timeout")
            }
            await native.shutdown()
            await alone.shutdown()
            withExtendedLifetime(silent) {}
        }

        @Test func aHeaderBlockOverTheLimitFailsAndASmallerOnePasses() async throws {
            let native = try transport(fallback: CountingFallback())
            guard case .failure(let error) = await get(native, site.url("/headers-size?bytes=400000")) else {
                Issue.record("expected a failure")
                return
            }
            #expect(error.kind == .network)
            #expect(error.message.contains("header block"), "\(error.message)")
            #expect(try await get(native, site.url("/headers-size?bytes=50000")).get().status == 200)
            await native.shutdown()
        }

        @Test func theRequestTargetAndHostFieldAreTheURLs() async throws {
            let native = try transport(fallback: CountingFallback())
            _ = try await get(native, site.url("/echo-headers?q=a%20b&x=1#fragment")).get()
            let logged = try #require(site.requests().last)
            #expect(logged.target == "/echo-headers?q=a%20b&x=1")
            #expect(logged.header("host") == "127.0.0.1:\(site.port)")
            #expect(logged.header("accept") == "*/*")
            #expect(logged.header("accept-encoding") == ContentDecoder.acceptEncoding)
            await native.shutdown()
        }
    }
#endif
