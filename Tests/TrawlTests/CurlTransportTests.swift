import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// What the libcurl transport does beyond the conformance suite: volume, connection reuse, option codes,
/// shutdown and a missing library.
@Suite(.timeLimit(.minutes(1)), .serialized) struct CurlTransportTests {
    let site: TestSite

    init() throws {
        site = try TestSite()
    }

    private func request(_ path: String, host: String = "127.0.0.1", timeout: Duration = .seconds(10))
        -> TransportRequest
    {
        TransportRequest(url: URL(string: site.url(path, host: host))!, timeout: timeout)
    }

    @Test(arguments: TransportKind.eventLoops)
    func manyConcurrentRequestsSucceedOverReusedConnections(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
        let requests = (0..<2000).map { request("/page/\($0)?size=512", host: hosts[$0 % hosts.count]) }
        let failures = await performAll(requests, width: 64, on: transport) { response in
            response.status == 200 && response.bodyBytes == 512
        }
        #expect(failures == 0)
        let logged = site.requests()
        #expect(logged.count == 2000)
        let connections = Set(logged.map(\.connectionID)).count
        // At most 64 in flight over three hosts: connections are kept and reused, not opened per request.
        #expect(connections <= 3 * 64)
        await transport.shutdown()
    }

    @Test func aListOfManyHostsRunsAsFastAtItsEndAsAtItsStart() async throws {
        // libcurl walks its whole DNS cache on every new connection; with names kept 60 s, each URL of a list of
        // distinct hosts cost more than the one before. `*.localhost` names resolve to loopback inside libcurl,
        // and nothing listens on port 1: every request is one quick refused connection to a new host.
        let transport = try CurlMultiTransport(maxConnectionsPerHost: 64)
        let clock = ContinuousClock()
        // Twelve runs of 1,500 new hosts. Each third is judged by its fastest run: a busy machine only adds
        // time, so a slow spell in one run does not read as the list slowing down.
        var runs: [Duration] = []
        for run in 0..<12 {
            let requests = (0..<1500).map { index in
                TransportRequest(url: URL(string: "http://h\(run)-\(index).localhost:1/")!, timeout: .seconds(10))
            }
            runs.append(await clock.measure { _ = await performAll(requests, width: 64, on: transport) { _ in true } })
        }
        let (first, last) = (runs[0..<4].min()!, runs[8..<12].min()!)
        // With the names kept, the last third's fastest run took four to five times as long as the first's.
        #expect(last < first * 2.5, "1,500 hosts at a time: \(runs)")
        await transport.shutdown()
    }

    @Test func everyOptionIsAcceptedByThisLibcurl() throws {
        let curl = try LibCurl.shared.get()
        // The fixed options are checked when the handle is made, the per-request ones when a request is applied;
        // each throws naming the option libcurl refused.
        let transfer = try CurlTransfer(curl: curl)
        defer { transfer.close() }
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: "trawl/test")
        headers.add(name: "X-Empty", value: "")
        try transfer.apply(
            TransportRequest(url: URL(string: site.url("/"))!, headers: headers, timeout: .milliseconds(1)))
        try transfer.apply(
            TransportRequest(url: URL(string: site.url("/a"))!, headers: headers, timeout: .seconds(1 << 40)))
        // The pre-7.85 fallback for CURLOPT_PROTOCOLS_STR.
        #expect(curl.setopt(transfer.easy, .protocols, CurlCode.httpProtocols) == CurlCode.ok)
        // And the check is meaningful: a code libcurl does not know is refused.
        #expect(curl.setopt(transfer.easy, rawOption: 9_999, 1) == CurlCode.unknownOption)
        #expect(curl.version.contains("libcurl"))
    }

    @Test func theWireCarriesOurHeadersAndNoExpect() async throws {
        let transport = try CurlMultiTransport()
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: "trawl/1.0")
        headers.add(name: "Accept", value: "*/*")
        headers.add(name: "X-Bad", value: "a\r\nInjected: yes")
        let response = try await transport.perform(
            TransportRequest(url: URL(string: site.url("/echo-headers"))!, headers: headers, keepBody: true))
        #expect(response.status == 200)
        let logged = try #require(site.requests().last)
        #expect(logged.header("user-agent") == "trawl/1.0")
        #expect(logged.headers.filter { $0.name.lowercased() == "user-agent" }.count == 1)
        #expect(logged.header("expect") == nil)
        #expect(logged.header("injected") == nil)
        #expect(logged.header("x-bad") == nil)
        #expect(logged.header("accept-encoding")?.contains("gzip") == true)
        // `Accept: */*` is libcurl's own default, left to it; any other value replaces it.
        #expect(logged.headers.filter { $0.name.lowercased() == "accept" }.map(\.value) == ["*/*"])
        headers.replace(name: "Accept", value: "text/html")
        _ = try await transport.perform(
            TransportRequest(url: URL(string: site.url("/echo-headers"))!, headers: headers, keepBody: true))
        let second = try #require(site.requests().last)
        #expect(second.headers.filter { $0.name.lowercased() == "accept" }.map(\.value) == ["text/html"])
        // Accept-Encoding names the codings trawl decodes itself, once; a caller's own value replaces it.
        let acceptEncodings = { (request: LoggedRequest) in
            request.headers.filter { $0.name.lowercased() == "accept-encoding" }.map(\.value)
        }
        #expect(acceptEncodings(logged) == ["gzip, deflate, br, zstd"])
        headers.add(name: "Accept-Encoding", value: "identity")
        _ = try await transport.perform(
            TransportRequest(url: URL(string: site.url("/echo-headers"))!, headers: headers, keepBody: true))
        #expect(acceptEncodings(try #require(site.requests().last)) == ["identity"])
        await transport.shutdown()
    }

    @Test func urlsReachLibcurlParsedAndOneItRefusesFailsWithoutItsPassword() async throws {
        // libcurl 7.63 and later take a parsed URL handle, which spares them parsing and printing the URL back
        // on every request.
        let curl = try LibCurl.shared.get()
        let transfer = try CurlTransfer(curl: curl)
        #expect(transfer.passesParsedURLs == (curl.urlAPI != nil))
        transfer.close()
        // Foundation takes `!` in a host name; libcurl does not.
        let transport = try CurlMultiTransport()
        do {
            _ = try await transport.perform(TransportRequest(url: URL(string: "http://user:secret@a!b/")!))
            Issue.record("libcurl took a host name with a `!`")
        } catch {
            #expect(error.kind == .invalidURL)
            #expect(!error.message.contains("secret"))
        }
        let response = try await transport.perform(TransportRequest(url: URL(string: site.url("/"))!))
        #expect(response.status == 200)
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.eventLoops, ["/half-head", "/half-head?whole-lines=1"])
    func aConnectionClosedInsideTheHeaderBlockIsANetworkError(_ kind: TransportKind, _ path: String) async throws {
        // libcurl 7.88 itself reports these as a complete 200 with an empty body. (Not in the conformance suite:
        // URLSession on Linux stops the whole process on them, in FoundationNetworking.)
        let transport = kind.make()
        do {
            let response = try await transport.perform(request(path))
            Issue.record("expected a network error, got status \(response.status)")
        } catch {
            #expect(error.kind == .network)
            #expect(error.message.contains("header block"))
        }
        #expect(try await transport.perform(request("/page/after-half-head")).status == 200)
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.eventLoops, [(200, false), (302, true), (429, false), (200, true)])
    func trailerFieldsAreNotTakenForHeaderFields(_ kind: TransportKind, _ answer: (Int, Bool)) async throws {
        let (status, afterAStatusLine) = answer
        // libcurl hands a chunked body's trailer fields to the header callback after the blank line; a Location
        // or Retry-After there must not redirect or pause anything (RFC 9110 section 6.5). (Not in the
        // conformance suite: URLSession on Linux stops the whole process on trailers, in FoundationNetworking.)
        // Nor does a trailer line that looks like a status line start a response of its own.
        let transport = kind.make()
        let response = try await transport.perform(
            request("/trailers?status=\(status)&status-line=\(afterAStatusLine ? 1 : 0)"))
        #expect(response.status == status)
        #expect(response.bodyBytes == 5)
        #expect(response.headers["location"] == nil)
        #expect(response.headers["retry-after"] == nil)
        #expect(response.headers["x-trailer"] == nil)
        #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
        await transport.shutdown()
    }

    @Test func aHeaderLineTooLongForLibcurlIsNotCalledOutOfMemory() async throws {
        // libcurl 7.88 refuses a header line over 100 KB with CURLE_OUT_OF_MEMORY and no message of its own.
        let transport = try CurlMultiTransport()
        do {
            let response = try await transport.perform(request("/headers-size?bytes=200000"))
            Issue.record("expected a network error, got status \(response.status)")
        } catch {
            #expect(error.kind == .network)
            #expect(error.message.contains("100 KB") && !error.message.contains("Out of memory"), "\(error.message)")
        }
        #expect(try await transport.perform(request("/headers-size?bytes=50000")).status == 200)
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.eventLoops)
    func failuresCarryLibcurlsOwnWords(_ kind: TransportKind) async throws {
        let transport = kind.make()
        do {
            _ = try await transport.perform(TransportRequest(url: URL(string: "http://127.0.0.1:\(closedPort())/")!))
            Issue.record("expected a connect error")
        } catch {
            #expect(error.kind == .connect)
            #expect(error.message.contains("Connection refused"))
        }
        do {
            _ = try await transport.perform(request("/hang", timeout: .milliseconds(200)))
            Issue.record("expected a timeout")
        } catch {
            #expect(error.kind == .timeout)
            #expect(error.message.localizedCaseInsensitiveContains("timed out"))
        }
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.eventLoops)
    func shutdownWithRequestsOutstandingFailsThemAndReturns(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: RecordError?.self) { group in
            for index in 0..<20 {
                let hung = request("/hang?n=\(index)", timeout: .seconds(30))
                group.addTask {
                    do throws(RecordError) {
                        _ = try await transport.perform(hung)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            await transport.shutdown()
            for try await error in group {
                #expect(error != nil)
            }
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        await transport.shutdown()
        // Requests after shutdown fail at once instead of waiting forever.
        await #expect(throws: RecordError.self) { try await transport.perform(request("/")) }
    }

    @Test(arguments: TransportKind.eventLoops)
    func aTaskCancelledBeforeItsRequestFailsAtOnce(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let hung = request("/hang", timeout: .seconds(30))
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await transport.perform(hung)
        }
        await #expect(throws: RecordError.self) { try await task.value }
        #expect(try await transport.perform(request("/page/x?size=10")).bodyBytes == 10)
        await transport.shutdown()
    }

    @Test func aCrawlOverCurlFollowsRedirectsAndRetries() async throws {
        let urls = [site.url("/page/a?size=100"), site.url("/redirect/2"), site.url("/seq/curl/503,200")]
        let (sink, _) = await crawl(urls, transport: try CurlMultiTransport())
        for url in urls {
            let record = try #require(sink.record(for: url))
            #expect(record.ok, "\(url): \(String(describing: record.error))")
            #expect(record.status == 200)
        }
        #expect(sink.record(for: urls[2])?.attempts == 2)
    }

    @Test func aMissingLibraryFailsWithAMessageNamingIt() {
        do {
            _ = try CurlMultiTransport(libraryCandidates: ["libcurl-trawl-missing.so.9"])
            Issue.record("expected the load to fail")
        } catch {
            #expect(error.message.contains("libcurl-trawl-missing.so.9"))
            #expect(error.message.contains("could not be loaded"))
        }
        #expect(CurlMultiTransport.isAvailable)
    }

    @Test func timeoutsBecomeWholeMillisecondsRoundedUp() {
        #expect(CurlTransfer.milliseconds(.microseconds(400)) == 1)
        #expect(CurlTransfer.milliseconds(.zero) == 1)
        #expect(CurlTransfer.milliseconds(.milliseconds(700)) == 700)
        #expect(CurlTransfer.milliseconds(.nanoseconds(1_000_000_001)) == 1001)
        #expect(CurlTransfer.milliseconds(.seconds(-3)) == 1)
        #expect(CurlTransfer.milliseconds(.seconds(1 << 40)) == Int(Int32.max))
    }

    /// Not a test of behaviour: prints requests per second for both transports when `TRAWL_TRANSPORT_BENCHMARK`
    /// is set (e.g. `TRAWL_TRANSPORT_BENCHMARK=20000`).
    @Test(
        .enabled(if: ProcessInfo.processInfo.environment["TRAWL_TRANSPORT_BENCHMARK"] != nil),
        .timeLimit(.minutes(5)))
    func throughputOfBothTransports() async throws {
        let count = Int(ProcessInfo.processInfo.environment["TRAWL_TRANSPORT_BENCHMARK"] ?? "") ?? 20_000
        let hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
        let requests = (0..<count).map { request("/page/\($0)", host: hosts[$0 % hosts.count]) }
        for round in 0..<2 {
            for kind in TransportKind.allCases {
                let transport: any Transport =
                    kind == .curl ? try CurlMultiTransport() : URLSessionTransport(maxConnectionsPerHost: 64)
                let clock = ContinuousClock()
                let cpuBefore = processCPUNanoseconds()
                let start = clock.now
                let failures = await performAll(requests, width: 64, on: transport) { $0.status == 200 }
                let elapsed = clock.now - start
                let cpu = Double(processCPUNanoseconds() - cpuBefore) / 1e9
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                print(
                    "round \(round) \(kind): \(count) requests in \(String(format: "%.2f", seconds)) s = "
                        + "\(Int(Double(count) / seconds)) req/s, process CPU \(String(format: "%.2f", cpu)) s, "
                        + "failures \(failures)")
                await transport.shutdown()
                site.resetStatistics()
            }
        }
    }
}

/// Process CPU time in nanoseconds (user + system, every thread, the test site's included).
private func processCPUNanoseconds() -> Int {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return spec.tv_sec * 1_000_000_000 + spec.tv_nsec
}

/// Performs `requests` with at most `width` in flight; returns how many failed or did not pass `check`.
private func performAll(
    _ requests: [TransportRequest], width: Int, on transport: any Transport,
    check: @escaping @Sendable (TransportResponse) -> Bool
) async -> Int {
    await withTaskGroup(of: Bool.self) { group in
        var next = 0
        var failures = 0
        func add() {
            let request = requests[next]
            next += 1
            group.addTask {
                guard let response = try? await transport.perform(request) else { return false }
                return check(response)
            }
        }
        while next < min(width, requests.count) { add() }
        for await passed in group {
            if !passed { failures += 1 }
            if next < requests.count { add() }
        }
        return failures
    }
}
