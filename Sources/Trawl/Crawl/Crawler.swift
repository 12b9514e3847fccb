/// Crawls a list of URLs: the library's entry point.
///
/// ```swift
/// let crawler = Crawler(configuration: .init())
/// let summary = try await crawler.run(input: LineReader(fd: fd, closeOnDeinit: true), sink: writer)
/// ```
public struct Crawler: Sendable {
    /// The configuration the crawler was made with.
    public let configuration: Configuration
    private let transport: any Transport
    private let clock: CrawlClock

    /// Creates a crawler.
    /// - Parameters:
    ///   - transport: the HTTP client; by default a ``URLSessionTransport`` sized for the configuration.
    ///   - clock: the clock every deliberate wait uses (inject a test clock to run schedules fast).
    public init(
        configuration: Configuration = Configuration(), transport: (any Transport)? = nil,
        clock: CrawlClock = .continuous
    ) {
        self.configuration = configuration
        self.transport =
            transport
            ?? URLSessionTransport(
                maxConnectionsPerHost: max(configuration.concurrency.perHost, configuration.concurrency.total))
        self.clock = clock
    }

    /// Crawls every URL line of `input`, handing each final record to `sink` as it is final.
    /// - Parameters:
    ///   - alreadyDone: digests of URLs that already have a record (resume): they are skipped.
    ///   - keep: when set, only input items it accepts are crawled (sharding).
    ///   - control: lets the caller stop the run gracefully.
    ///   - events: observes progress; called from many tasks, must not block.
    /// - Returns: the run's totals.
    public func run(
        input: LineReader, sink: any RecordSink, alreadyDone: Set<URLDigest> = [],
        keep: (@Sendable (InputItem) -> Bool)? = nil, control: RunControl = RunControl(),
        events: @escaping @Sendable (ProgressEvent) -> Void = { _ in }
    ) async -> CrawlSummary {
        let scheduler = Scheduler(
            total: configuration.concurrency.total, perHost: configuration.concurrency.perHost,
            politeness: configuration.politeness, clock: clock)
        let fetcher = Fetcher(
            configuration: configuration, scheduler: scheduler, transport: transport, clock: clock,
            control: control, emit: events)
        let coordinator = Coordinator(
            source: URLSource(reader: input, alreadyDone: alreadyDone, keep: keep), fetcher: fetcher,
            scheduler: scheduler, sink: sink,
            control: control, admittedLimit: configuration.concurrency.admittedLimit, emit: events)
        // With a transport that runs its own event loop, the crawl's tasks run on that loop's thread.
        return await withTaskExecutorPreference(transport.taskExecutor) {
            await coordinator.run()
        }
    }

    /// Releases the transport. Call once, after the last run.
    public func shutdown() async {
        await transport.shutdown()
    }
}
