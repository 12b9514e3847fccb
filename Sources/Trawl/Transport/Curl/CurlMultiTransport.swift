import Synchronization

/// A ``Transport`` over libcurl's multi interface, loaded at run time: event-loop threads (one by default, see
/// ``Configuration/eventLoops``) drive every request, easy handles and connections are reused, and libcurl's own
/// options give trawl what it needs:
/// - `CURLOPT_TIMEOUT_MS` is a whole-exchange deadline, with millisecond resolution;
/// - redirects are never followed (the 3xx answer is returned with its `Location`);
/// - bodies are decoded (every encoding libcurl knows) and counted as they arrive; the transfer stops past
///   the cap;
/// - only `http` and `https` are allowed; TLS peer and host verification stay on unless the configuration turns
///   them off, and `--cacert`'s bundle is added to the system's CAs;
/// - HTTP/2 is offered over TLS and multiplexed, so a per-host cap counts streams, not connections;
/// - the proxy is chosen by trawl per request (``ProxySettings``) and set explicitly, so libcurl never reads
///   the environment itself.
///
/// Creating one fails with ``CurlTransportError`` when libcurl cannot be loaded (`libcurl.so.4` on Linux,
/// `/usr/lib/libcurl.4.dylib` on macOS) or is older than 7.68; callers can then fall back to
/// ``URLSessionTransport``. Check ``isAvailable`` first to avoid the error.
public final class CurlMultiTransport: Transport {
    private let loops: [CurlEventLoop]
    /// Picks a loop for a request made off every loop's thread.
    private let turn = Atomic<Int>(0)

    /// Whether libcurl can be loaded in this process.
    public static var isAvailable: Bool {
        if case .success = LibCurl.shared { return true }
        return false
    }

    /// The loaded library's version string (`curl_version()`), or nil when it cannot be loaded.
    public static var libraryVersion: String? {
        try? LibCurl.shared.get().version
    }

    /// Loads libcurl (once per process) and starts the transport's event-loop thread.
    /// - Parameters:
    ///   - maxConnectionsPerHost: libcurl's per-host connection limit; keep it at or above trawl's own per-host
    ///     cap, because requests beyond it wait inside libcurl with their timeout running.
    ///   - maxTotalConnections: the limit on open connections, and the size of the connection cache.
    /// - Throws: ``CurlTransportError`` naming the library when libcurl is missing, too old or fails to start.
    public convenience init(maxConnectionsPerHost: Int = 64, maxTotalConnections: Int = 256)
        throws(CurlTransportError)
    {
        var configuration = Configuration()
        configuration.maxConnectionsPerHost = maxConnectionsPerHost
        configuration.maxTotalConnections = maxTotalConnections
        try self.init(configuration: configuration)
    }

    /// Loads libcurl (once per process) and starts the transport's event-loop thread with `configuration`.
    /// - Throws: ``CurlTransportError`` naming the library when libcurl is missing, too old or fails to start,
    ///   or the option libcurl refused.
    public convenience init(configuration: Configuration) throws(CurlTransportError) {
        try self.init(library: LibCurl.shared.get(), configuration: configuration)
    }

    /// Opens the first loadable library of `libraryCandidates` instead of the process-wide one (for tests).
    convenience init(libraryCandidates: [String], maxConnectionsPerHost: Int = 64, maxTotalConnections: Int = 256)
        throws(CurlTransportError)
    {
        var configuration = Configuration()
        configuration.maxConnectionsPerHost = maxConnectionsPerHost
        configuration.maxTotalConnections = maxTotalConnections
        try self.init(
            library: LibCurl.load(candidates: libraryCandidates, initialize: true), configuration: configuration)
    }

    init(library: LibCurl, configuration: Configuration) throws(CurlTransportError) {
        var configuration = configuration
        configuration.maxTotalConnections = max(configuration.maxTotalConnections, configuration.maxConnectionsPerHost)
        // Fail now, not per request, when libcurl refuses an option (e.g. a TLS option a build lacks).
        let probe = try CurlTransfer(curl: library, configuration: configuration)
        probe.close()
        var loops: [CurlEventLoop] = []
        do throws(CurlTransportError) {
            // A loop beyond the connection limit could never hold a connection.
            for _ in 0..<max(1, min(configuration.eventLoops, configuration.maxTotalConnections)) {
                loops.append(try CurlEventLoop(curl: library, configuration: configuration))
            }
        } catch {
            for loop in loops { loop.mailbox.requestStop() }
            throw error
        }
        self.loops = loops
    }

    deinit {
        for loop in loops { loop.mailbox.requestStop() }
    }

    /// The loop whose thread runs the caller, so a request and its answer stay on one thread; else the next in
    /// turn.
    private var chosenLoop: CurlEventLoop {
        if loops.count == 1 { return loops[0] }
        if let current = loops.first(where: \.mailbox.isCurrentThread) { return current }
        return loops[turn.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    public nonisolated(nonsending) func perform(_ request: TransportRequest) async throws(RecordError)
        -> TransportResponse
    {
        try await chosenLoop.mailbox.perform(request).get()
    }

    /// The loops' threads: a crawl runs one lane of its URLs on each, so a request and its answer never cross
    /// threads.
    public var taskExecutors: [any TaskExecutor] { loops.map(\.executor) }

    /// Stops the event loops, failing every outstanding request, and frees libcurl's handles. Idempotent.
    public func shutdown() async {
        for loop in loops { await loop.mailbox.stop() }
    }
}
