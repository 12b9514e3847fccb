import Foundation
import Synchronization
import TrawlTestSite

@testable import Trawl

/// Keeps every record in memory.
final class CollectingSink: RecordSink {
    private let stored = Mutex<[Record]>([])

    func write(_ record: Record) {
        stored.withLock { $0.append(record) }
    }

    var records: [Record] { stored.withLock { $0 } }

    func record(for url: String) -> Record? {
        records.first { $0.url == url }
    }
}

/// Runs a crawl of `lines` and returns the sink with every record.
func crawl(
    _ lines: [String], configure: (inout Crawler.Configuration) -> Void = { _ in }, clock: CrawlClock? = nil,
    control: RunControl = RunControl(), transport: (any Transport)? = nil
) async -> (CollectingSink, CrawlSummary) {
    var configuration = Crawler.Configuration()
    configuration.retry.policy = ExponentialBackoff(base: .milliseconds(10), maximum: .milliseconds(40))
    configure(&configuration)
    // The product's default transport; the conformance suite holds both transports to the same contract.
    let chosen = transport ?? (try? CurlMultiTransport()) ?? URLSessionTransport()
    let crawler = Crawler(configuration: configuration, transport: chosen, clock: clock ?? CrawlClock(RecordingClock()))
    let sink = CollectingSink()
    let summary = await crawler.run(
        input: LineReaderTests.reader(lines.joined(separator: "\n")), sink: sink, control: control)
    await crawler.shutdown()
    return (sink, summary)
}

/// Whether `task` ends within `limit`. Returns at the limit either way, so a test of something that should
/// end cannot hang the suite when it does not.
func finishes<T: Sendable>(_ task: Task<T, Never>, within limit: Duration) async -> Bool {
    let (stream, continuation) = AsyncStream<Bool>.makeStream()
    let watcher = Task {
        _ = await task.value
        continuation.yield(true)
    }
    let timer = Task {
        try? await Task.sleep(for: limit)
        continuation.yield(false)
    }
    var ended = false
    for await value in stream {
        ended = value
        break
    }
    timer.cancel()
    _ = watcher
    return ended
}

/// Polls `condition` every 5 ms until it holds or `limit` has passed. The limit only bounds a failing run: a full
/// suite on two cores can hold a crawl up for seconds, and a passing run returns as soon as the condition holds.
func waitUntil(within limit: Duration = .seconds(30), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition(), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// `SOCK_STREAM` as `socket()` takes it on this platform.
#if canImport(Darwin)
    let streamSocket = SOCK_STREAM
#else
    let streamSocket = Int32(SOCK_STREAM.rawValue)
#endif

/// A TCP socket bound to a free port on 127.0.0.1, and its address.
func boundLoopbackSocket() -> (fd: Int32, address: sockaddr_in) {
    let fd = socket(AF_INET, streamSocket, 0)
    precondition(fd >= 0, "socket() failed: errno \(errno)")
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let size = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
    }
    precondition(bound == 0, "bind() failed: errno \(errno)")
    var length = size
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, address)
}

/// Sockets of ``closedPort()``, open for the whole run so no other test is given their ports.
private let closedPortSockets = Mutex<[Int32]>([])

/// A TCP port on 127.0.0.1 where nothing listens: bound and never listening, so a connect is refused, and kept
/// so for the rest of the run (a closed socket's port could go to a test site started meanwhile).
func closedPort() -> Int {
    let (fd, address) = boundLoopbackSocket()
    closedPortSockets.withLock { $0.append(fd) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A socket listening on 127.0.0.1 whose accept queue is full and never drained, so the kernel drops every further
/// SYN: a connect to ``port`` never completes (Linux; the backlog of 0 admits one connection, three are made).
final class FullBacklogListener {
    let port: Int
    private let descriptors: [Int32]

    init() {
        var (listener, address) = boundLoopbackSocket()
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        precondition(listen(listener, 0) == 0, "listen() failed: errno \(errno)")
        port = Int(UInt16(bigEndian: address.sin_port))
        var descriptors = [listener]
        for _ in 0..<3 {
            let client = socket(AF_INET, streamSocket, 0)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, size) }
            }
            descriptors.append(client)
        }
        self.descriptors = descriptors
        // Let the handshakes that fit finish before a test's own connect joins the queue.
        usleep(50_000)
    }

    deinit {
        for descriptor in descriptors { close(descriptor) }
    }
}
