import Synchronization

/// Owns one run: pulls items from the source only while the admitted-URL window has room and fans them out
/// in a task group. Each URL's task hands its final record to the sink itself, so records stream out as
/// they finish, whatever the input is doing.
///
/// Not an actor: one call of ``run()`` owns it, on the caller's executor, so handing a URL out and taking a
/// finished task back cost no executor hops.
final class Coordinator {
    private let source: URLSource
    private let fetcher: Fetcher
    private let scheduler: Scheduler
    private let recorder: Recorder
    private let control: RunControl
    private let admittedLimit: Int
    /// URLs handed to tasks and not finished yet.
    private let admitted = AdmittedCount()

    init(
        source: URLSource, fetcher: Fetcher, scheduler: Scheduler, sink: any RecordSink, control: RunControl,
        admittedLimit: Int, emit: @escaping @Sendable (ProgressEvent) -> Void
    ) {
        self.source = source
        self.fetcher = fetcher
        self.scheduler = scheduler
        self.recorder = Recorder(sink: sink, emit: emit)
        self.control = control
        self.admittedLimit = admittedLimit
    }

    nonisolated(nonsending) func run() async -> CrawlSummary {
        let (fetcher, recorder, scheduler) = (self.fetcher, self.recorder, self.scheduler)
        let admitted = self.admitted
        await withDiscardingTaskGroup { group in
            while !control.isStopping, !Task.isCancelled, let item = await source.next() {
                switch item {
                case .rejected(let record):
                    recorder.finish(record)
                case .fetch(let url):
                    // Read ahead past busy or paused hosts, up to the window; but while every global slot is
                    // taken, wait for one to be released (a URL finishing, or backing off) instead.
                    while !control.isStopping {
                        let count = admitted.value.load(ordering: .relaxed)
                        if count < admittedLimit && (count == 0 || !scheduler.isFull) { break }
                        await scheduler.slotReleased.wait()
                    }
                    // Taking the slot here, when one is free, counts it at once: the next pass round the loop
                    // sees the scheduler full, instead of starting tasks that would only queue there.
                    let permit = scheduler.tryAcquire(host: url.host)
                    admitted.value.add(1, ordering: .relaxed)
                    group.addTask {
                        if let record = await fetcher.fetch(url, permit: permit) { recorder.finish(record) }
                        admitted.value.subtract(1, ordering: .relaxed)
                        scheduler.slotReleased.signal()
                    }
                }
            }
        }
        return recorder.summary(interrupted: control.isStopping)
    }
}

/// How many URLs the coordinator has handed to tasks that have not finished.
private final class AdmittedCount: Sendable {
    let value = Atomic<Int>(0)
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
