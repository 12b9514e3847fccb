import Synchronization

/// Owns one lane of a run: pulls items from the source only while the lane has room and fans them out in a
/// task group. Each URL's task hands its final record to the recorder itself, so records stream out as they
/// finish, whatever the input is doing.
///
/// Not an actor: one call of ``run()`` owns it, on the caller's executor, so handing a URL out and taking a
/// finished task back cost no executor hops.
final class Coordinator {
    private let source: URLSource
    private let fetcher: Fetcher
    private let scheduler: Scheduler
    private let recorder: Recorder
    private let control: RunControl
    private let lane: Lane

    init(
        source: URLSource, fetcher: Fetcher, scheduler: Scheduler, recorder: Recorder, control: RunControl,
        lane: Lane
    ) {
        self.source = source
        self.fetcher = fetcher
        self.scheduler = scheduler
        self.recorder = recorder
        self.control = control
        self.lane = lane
    }

    /// Crawls the lane's items; returns when the source is empty (or the run stops) and every URL finished.
    nonisolated(nonsending) func run() async {
        let (fetcher, recorder, scheduler, lane) = (self.fetcher, self.recorder, self.scheduler, self.lane)
        await withDiscardingTaskGroup { group in
            while !control.isStopping, !Task.isCancelled, let item = await source.next() {
                switch item {
                case .rejected(let record):
                    recorder.finish(record)
                case .fetch(let url):
                    // Read ahead past busy or paused hosts, up to the window; but while every global slot is
                    // taken, wait for one of the lane's URLs to release one (finishing, or backing off) instead.
                    while !control.isStopping {
                        let admitted = lane.admittedCount
                        if admitted == 0 || (admitted < lane.window && !scheduler.isFull) { break }
                        await lane.waitForRoom()
                    }
                    // Taking the slot here, when one is free, counts it at once: the next pass round the loop
                    // sees the scheduler full, instead of starting tasks that would only queue there.
                    let permit = scheduler.tryAcquire(host: url.host)
                    lane.admittedOne()
                    group.addTask {
                        if let record = await fetcher.fetch(url, permit: permit) { recorder.finish(record) }
                        lane.finished()
                    }
                }
            }
        }
    }
}

/// Hands final records to the sink and counts them; called from many tasks at once.
final class Recorder: Sendable {
    private let sink: any RecordSink
    private let emit: @Sendable (ProgressEvent) -> Void
    private let records = Atomic<Int>(0)
    private let succeeded = Atomic<Int>(0)

    init(sink: any RecordSink, emit: @escaping @Sendable (ProgressEvent) -> Void) {
        self.sink = sink
        self.emit = emit
    }

    func finish(_ record: Record) {
        sink.write(record)
        records.add(1, ordering: .relaxed)
        if record.ok { succeeded.add(1, ordering: .relaxed) }
        emit(.recorded(ok: record.ok, status: record.status, error: record.error?.kind, attempts: record.attempts))
    }

    func summary(interrupted: Bool) -> CrawlSummary {
        var summary = CrawlSummary()
        summary.records = records.load(ordering: .relaxed)
        summary.succeeded = succeeded.load(ordering: .relaxed)
        summary.interrupted = interrupted
        return summary
    }
}
