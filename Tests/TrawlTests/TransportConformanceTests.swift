import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// The transports every conformance test runs against.
enum TransportKind: String, CaseIterable, CustomTestStringConvertible {
    case urlSession
    case curl
    #if os(Linux)
        case native
    #endif

    func make() -> any Transport {
        switch self {
        case .urlSession: URLSessionTransport(maxConnectionsPerHost: 16)
        // libcurl is part of the test machines; a missing one should fail loudly, not skip.
        case .curl: try! CurlMultiTransport(maxConnectionsPerHost: 16)
        #if os(Linux)
            case .native:
                try! NativeHTTPTransport(
                    configuration: CurlMultiTransport.Configuration(),
                    fallback: CurlMultiTransport(maxConnectionsPerHost: 16))
        #endif
        }
    }

    var testDescription: String { rawValue }

    /// The transports that run their own event loops: libcurl's, and trawl's own HTTP/1.1 on Linux.
    static var eventLoops: [TransportKind] { allCases.filter { $0 != .urlSession } }
}

/// What any ``Transport`` must do, judged at a real loopback server.
@Suite(.timeLimit(.minutes(1)), .serialized) struct TransportConformanceTests {
    let site: TestSite

    init() throws {
        site = try TestSite()
    }

    private func perform(
        _ transport: any Transport, _ path: String, host: String = "127.0.0.1", timeout: Duration = .seconds(5),
        maxBodyBytes: Int = 10 << 20, keepBody: Bool = false, headers: HTTPHeaders = HTTPHeaders()
    ) async -> Result<TransportResponse, RecordError> {
        let request = TransportRequest(
            url: URL(string: site.url(path, host: host))!, headers: headers, timeout: timeout,
            maxBodyBytes: maxBodyBytes, keepBody: keepBody)
        do {
            return .success(try await transport.perform(request))
        } catch {
            return .failure(error)
        }
    }

    private func errorKind(_ result: Result<TransportResponse, RecordError>) -> ErrorKind? {
        if case .failure(let error) = result { return error.kind }
        return nil
    }

    private func errorStatus(_ result: Result<TransportResponse, RecordError>) -> Int? {
        if case .failure(let error) = result { return error.status }
        return nil
    }

    @Test(arguments: TransportKind.allCases)
    func pageArrivesWithStatusHeadersAndExactSize(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let response = try await perform(transport, "/page/a?size=3000", keepBody: true).get()
        #expect(response.status == 200)
        #expect(response.bodyBytes == 3000)
        #expect(response.body.count == 3000)
        #expect(response.headers["content-type"]?.hasPrefix("text/html") == true)
        let counted = try await perform(transport, "/page/b?size=777").get()
        #expect(counted.bodyBytes == 777)
        #expect(counted.body.isEmpty)
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func requestHeadersReachTheServer(_ kind: TransportKind) async throws {
        let transport = kind.make()
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: "trawl/test")
        headers.add(name: "X-Token", value: "abc")
        _ = try await perform(transport, "/echo-headers", headers: headers).get()
        let logged = try #require(site.requests().last)
        #expect(logged.header("user-agent") == "trawl/test")
        #expect(logged.header("x-token") == "abc")
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func redirectsAreReturnedNotFollowed(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let response = try await perform(transport, "/redirect/2").get()
        #expect(response.status == 302)
        #expect(response.headers["location"] == "/redirect/1")
        #expect(site.requestCount() == 1)
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func aRedirectStatusWithoutAUsableLocationIsReturnedAsIs(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let bare = try await perform(transport, "/status/302").get()
        #expect(bare.status == 302)
        #expect(bare.headers["location"] == nil)
        let empty = try await perform(transport, "/redirect-to?to=&status=301").get()
        #expect(empty.status == 301)
        #expect(empty.headers["location"] == "")
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func theSchemeIsCaseInsensitive(_ kind: TransportKind) async throws {
        // RFC 3986 section 3.1: `HTTP://` is `http://`, and trawl's input accepts it as such.
        let transport = kind.make()
        for scheme in ["HTTP", "Http"] {
            let url = URL(string: "\(scheme)://127.0.0.1:\(site.port)/page/upper?size=100")!
            let response = try await transport.perform(TransportRequest(url: url, timeout: .seconds(5)))
            #expect(response.status == 200 && response.bodyBytes == 100, "\(scheme)")
        }
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func aDrippingBodyHitsTheWholeExchangeDeadline(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let start = ContinuousClock.now
        // One byte every 100 ms: an idle timer would never fire.
        let result = await perform(transport, "/drip?bytes=100&interval=100", timeout: .milliseconds(700))
        let elapsed = ContinuousClock.now - start
        #expect(errorKind(result) == .timeout)
        #expect(errorStatus(result) == 200, "the header block had arrived")
        #expect(elapsed >= .milliseconds(650) && elapsed < .seconds(3))
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func aSilentServerHitsASubSecondDeadline(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let start = ContinuousClock.now
        let result = await perform(transport, "/hang", timeout: .milliseconds(400))
        #expect(errorKind(result) == .timeout)
        #expect(errorStatus(result) == nil)
        #expect(ContinuousClock.now - start >= .milliseconds(350))
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func theBodyCapStopsAPlainAndAGzipBody(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let plain = await perform(transport, "/big?bytes=5000000", maxBodyBytes: 100_000)
        #expect(errorKind(plain) == .bodyTooLarge && errorStatus(plain) == 200)
        // 50 MB of zeros compressed to a few dozen KB: the cap counts decoded bytes.
        #expect(errorKind(await perform(transport, "/gzip?bytes=50000000", maxBodyBytes: 1_000_000)) == .bodyTooLarge)
        let fits = try await perform(transport, "/gzip?bytes=100000", maxBodyBytes: 1_000_000).get()
        #expect(fits.bodyBytes == 100_000)
        await transport.shutdown()
    }

    // curl only: URLSession on Linux has no backpressure. Its libcurl thread queues every block for the delegate
    // however far behind the delegate is, so four endless bodies at loopback speed reach gigabytes before the
    // cap's cancel lands (README, Transports).
    @Test(arguments: [TransportKind.curl])
    func theBodyCapStopsEndlessBodiesArrivingTogether(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let results = await withTaskGroup(of: ErrorKind?.self) { group in
            for index in 0..<4 {
                group.addTask {
                    errorKind(
                        await perform(transport, "/endless?n=\(index)", timeout: .seconds(20), maxBodyBytes: 1 << 20))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: .bodyTooLarge, count: 4))
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func brokenConnectionsAreNetworkErrors(_ kind: TransportKind) async throws {
        let transport = kind.make()
        for path in [
            "/reset", "/empty-reply", "/reset-mid-body?bytes=1000", "/short-body?declared=1000&sent=10", "/malformed",
            "/bad-chunked",
        ] {
            let result = await perform(transport, path)
            #expect(errorKind(result) == .network, "\(path)")
            // The whole header block came before these three broke.
            let headed = ["/reset-mid-body", "/short-body", "/bad-chunked"].contains { path.hasPrefix($0) }
            #expect(errorStatus(result) == (headed ? 200 : nil), "\(path)")
        }
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func aContentLengthThatFramesNothingCertainIsANetworkError(_ kind: TransportKind) async throws {
        // RFC 9112 section 6.3: disagreeing or unparseable lengths are an unrecoverable framing error, not a
        // guess at which bytes make the body (libcurl 7.88 takes the last field, ignores an overflow, reads "+3").
        let transport = kind.make()
        for query in [
            "length=3&also=5&sent=5", "length=99999999999999999999999&sent=3", "length=%2B3&sent=3",
            "length=3%205&sent=5", "length=3,%205&sent=5", "length=&sent=0",
        ] {
            let result = await perform(transport, "/bad-length?\(query)")
            #expect(errorKind(result) == .network, "\(query)")
            if case .failure(let error) = result, error.kind == .network {
                #expect(error.message.contains("Content-Length"), "\(query): \(error.message)")
            }
        }
        // Repeats of one length are that length (RFC 9110 section 8.6).
        for (query, length) in [("length=3&also=3&sent=3", 3), ("length=3,%203&sent=3", 3), ("length=0&sent=0", 0)] {
            let response = try await perform(transport, "/bad-length?\(query)").get()
            #expect(response.status == 200 && response.bodyBytes == length, "\(query)")
        }
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func aKeepAliveConnectionTheServerClosedIsNotReusedIntoAFailure(_ kind: TransportKind) async throws {
        let transport = kind.make()
        for round in 0..<3 {
            #expect(try await perform(transport, "/stale-keep-alive").get().status == 200, "round \(round)")
            #expect(try await perform(transport, "/page/after-stale").get().status == 200, "round \(round)")
        }
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func aClosedPortIsAConnectError(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let request = TransportRequest(url: URL(string: "http://127.0.0.1:\(closedPort())/")!, timeout: .seconds(5))
        do {
            _ = try await transport.perform(request)
            Issue.record("expected a connect error")
        } catch {
            #expect(error.kind == .connect)
        }
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func aConnectThatNeverCompletesHitsTheDeadline(_ kind: TransportKind) async throws {
        // A listener whose backlog is full: the SYN is dropped, and only the deadline ends the wait.
        let listener = FullBacklogListener()
        let transport = kind.make()
        let start = ContinuousClock.now
        let request = TransportRequest(
            url: URL(string: "http://127.0.0.1:\(listener.port)/")!, timeout: .milliseconds(400))
        let result: Result<TransportResponse, RecordError>
        do {
            result = .success(try await transport.perform(request))
        } catch {
            result = .failure(error)
        }
        let elapsed = ContinuousClock.now - start
        #expect(errorKind(result) == .timeout, "\(result)")
        if kind != .urlSession, case .failure(let error) = result {
            // libcurl and the native transport name the phase: the fixture held the connect itself, not an answer.
            #expect(error.message.lowercased().hasPrefix("connection time"), "\(error.message)")
        }
        #expect(elapsed >= .milliseconds(350) && elapsed < .seconds(3), "\(elapsed)")
        await transport.shutdown()
        withExtendedLifetime(listener) {}
    }

    @Test(arguments: TransportKind.allCases)
    func retryAfterHeadersAreReported(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let response = try await perform(transport, "/retry-after/k?after=7").get()
        #expect(response.status == 429)
        #expect(response.headers["retry-after"] == "7")
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func aFoldedHeaderFieldIsOneValue(_ kind: TransportKind) async throws {
        // Obsolete line folding: a recipient replaces each fold with a space (RFC 9112 section 5.2).
        let transport = kind.make()
        let response = try await perform(transport, "/folded-header").get()
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(response.headers["x-folded"] == "one two")
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func anInformationalAnswerLeavesOnlyTheFinalAnswersFields(_ kind: TransportKind) async throws {
        let transport = kind.make()
        // libcurl takes a status line in any case; so must the transport that reads its header lines.
        for path in ["/informational", "/informational?lower=1"] {
            let response = try await perform(transport, path).get()
            #expect(response.status == 200, "\(path)")
            #expect(response.headers["content-type"] == "text/plain; charset=utf-8", "\(path)")
            #expect(response.headers["link"] == nil, "\(path)")
        }
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func cancellingTheTaskEndsTheExchangePromptly(_ kind: TransportKind) async throws {
        let transport = kind.make()
        let task = Task { await perform(transport, "/hang", timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(200))
        let start = ContinuousClock.now
        task.cancel()
        _ = await task.value
        #expect(ContinuousClock.now - start < .seconds(2))
        await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases)
    func tasksCancelledAsTheyStartAllEndPromptly(_ kind: TransportKind) async throws {
        // Cancelled within a few milliseconds of starting, half of them from tasks on the loop's own thread: a
        // cancellation that reaches the loop in the same turn as its request must not be applied before the
        // request starts, and lost.
        let transport = kind.make()
        let start = ContinuousClock.now
        let slowest = await withTaskGroup(of: Duration.self) { group in
            for index in 0..<120 {
                let preferred = index.isMultiple(of: 2) ? transport.taskExecutors.first : nil
                group.addTask(executorPreference: preferred) {
                    let task = Task(executorPreference: preferred) {
                        await perform(transport, "/hang", timeout: .seconds(10))
                    }
                    try? await Task.sleep(for: .microseconds(index % 4 * 1000))
                    let cancelled = ContinuousClock.now
                    task.cancel()
                    _ = await task.value
                    return ContinuousClock.now - cancelled
                }
            }
            return await group.reduce(Duration.zero) { max($0, $1) }
        }
        #expect(slowest < .seconds(3), "slowest \(slowest), all in \(ContinuousClock.now - start)")
        await transport.shutdown()
    }
}
