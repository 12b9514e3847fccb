import Foundation

/// Crawls a list of URLs: the library's entry point.
///
/// ```swift
/// let crawler = Crawler(configuration: .init())
/// let summary = await crawler.run(input: LineReader(fd: fd, closeOnDeinit: true), sink: writer)
/// ```
public struct Crawler: Sendable {
    /// The configuration the crawler was made with.
    public let configuration: Configuration
    /// The HTTP client (internal for tests).
    let transport: any Transport
    private let clock: CrawlClock

    /// Creates a crawler.
    /// - Parameters:
    ///   - transport: the HTTP client; by default the fastest available, sized for the configuration: a
    ///     ``CurlMultiTransport``, or a ``URLSessionTransport`` where libcurl cannot be loaded (as the tool's
    ///     `--transport auto`); either takes its proxy from the environment (`http_proxy`, `NO_PROXY`...).
    ///   - clock: the clock every deliberate wait uses (inject a test clock to run schedules fast).
    public init(
        configuration: Configuration = Configuration(), transport: (any Transport)? = nil,
        clock: CrawlClock = .continuous
    ) {
        self.configuration = configuration
        let concurrency = configuration.concurrency.normalized
        self.transport = transport ?? Self.fastestTransport(for: concurrency)
        self.clock = clock
    }

    private static func fastestTransport(for concurrency: Configuration.Concurrency) -> any Transport {
        var curl = CurlMultiTransport.Configuration()
        curl.size(for: concurrency)
        // The proxy environment, as the tool reads it and URLSession (the fallback) does.
        curl.proxy = ProxySettings.environment(ProcessInfo.processInfo.environment)
        let fallback: any Transport =
            (try? CurlMultiTransport(configuration: curl))
            ?? URLSessionTransport(maxConnectionsPerHost: concurrency.connectionsPerHost)
        return FastestTransport.inFront(of: fallback, configuration: curl)
    }

    /// Crawls every URL line of `input`, handing each final record to `sink` as it is final.
    /// - Parameters:
    ///   - alreadyDone: digests of URLs that already have a record (resume): they are skipped.
    ///   - alreadyFailed: those of `alreadyDone` whose record failed, counted in the summary's
    ///     ``CrawlSummary/resumedFailed``.
    ///   - keep: when set, only input items it accepts are crawled (sharding).
    ///   - control: lets the caller stop the run gracefully.
    ///   - events: observes progress; called from many tasks, must not block.
    /// - Returns: the run's totals.
    public func run(
        input: LineReader, sink: any RecordSink, alreadyDone: Set<URLDigest> = [], alreadyFailed: Set<URLDigest> = [],
        keep: (@Sendable (InputItem) -> Bool)? = nil, control: RunControl = RunControl(),
        events: @escaping @Sendable (ProgressEvent) -> Void = { _ in }
    ) async -> CrawlSummary {
        let configuration = self.configuration.normalized
        let scheduler = Scheduler(
            total: configuration.concurrency.total, perHost: configuration.concurrency.perHost,
            politeness: configuration.politeness, clock: clock)
        let recorder = Recorder(sink: sink, emit: events)
        let sorter = URLSource.Sorter(done: alreadyDone, failed: alreadyFailed, keep: keep, emit: events)
        // One lane per event loop the transport runs (one on the global executor otherwise): each lane reads
        // its own batches of the input and runs its URLs' tasks on its loop's thread.
        let lanes = Lane.split(
            total: configuration.concurrency.total, window: configuration.concurrency.admittedLimit,
            executors: transport.taskExecutors)
        // Stopping ends every wait inside the run: slots queued for, coordinators waiting for room, and reads
        // waiting on an idle input.
        let stopAction = control.onStop {
            scheduler.failAllWaiters()
            for lane in lanes { lane.wakeUp() }
            input.cancel()
        }
        let (transport, clock) = (self.transport, self.clock)
        // Made inside the task that runs it: a coordinator belongs to that task alone.
        let runLane = { @Sendable (lane: Lane) async in
            let coordinator = Coordinator(
                source: URLSource(reader: input, sorter: sorter, onReady: { lane.wakeUp() }),
                fetcher: Fetcher(
                    configuration: configuration, scheduler: scheduler, transport: transport, clock: clock,
                    control: control, lane: lane, lanes: lanes, emit: events),
                scheduler: scheduler, recorder: recorder, control: control, lane: lane)
            await coordinator.run()
        }
        // Cancelling the run ends every wait in it (each watches for cancellation) but a read of its input.
        await withTaskCancellationHandler {
            if lanes.count == 1 {
                await withTaskExecutorPreference(lanes[0].executor) { await runLane(lanes[0]) }
            } else {
                await withDiscardingTaskGroup { group in
                    for lane in lanes {
                        group.addTask(executorPreference: lane.executor) { await runLane(lane) }
                    }
                }
            }
        } onCancel: {
            input.cancel()
        }
        control.removeStopAction(stopAction)
        var summary = recorder.summary(interrupted: control.isStopping || Task.isCancelled)
        summary.resumedFailed = sorter.resumedFailed.load(ordering: .relaxed)
        if let error = input.readError {
            summary.inputReadError = error
            summary.interrupted = true
        }
        return summary
    }

    /// Releases the transport. Call once, after the last run.
    public func shutdown() async {
        await transport.shutdown()
    }
}
